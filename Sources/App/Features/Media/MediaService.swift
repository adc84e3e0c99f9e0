import Foundation
import Fluent
import SQLKit
import Vapor
import CImaging
import Domain

/// Where stored bytes live. The app keeps none on its own disk, so any node can serve any file; the database
/// store is the default, and another store (an object store) can take its place behind this interface.
protocol BlobStore: Sendable {
    func put(_ key: String, _ data: Data, contentType: String, now: Date, on db: any Database) async throws
    func get(_ key: String, on db: any Database) async throws -> (data: Data, contentType: String)?
    func delete(_ keys: [String], on db: any Database) async throws
}

/// Blobs in the `blobs` table (written in the caller's transaction, so a file and its record land together).
struct DatabaseBlobStore: BlobStore {
    func put(_ key: String, _ data: Data, contentType: String, now: Date, on db: any Database) async throws {
        try await (db as! any SQLDatabase).insert(into: "blobs").columns("key", "content_type", "data", "created_at")
            .values(SQLBind(key), SQLBind(contentType), SQLBind(data), SQLBind(now)).run()
    }

    func get(_ key: String, on db: any Database) async throws -> (data: Data, contentType: String)? {
        struct Row: Decodable { let data: Data; let content_type: String }
        guard let row = try await (db as! any SQLDatabase).select().column("data").column("content_type").from("blobs")
            .where("key", .equal, SQLBind(key)).first(decoding: Row.self) else { return nil }
        return (row.data, row.content_type)
    }

    func delete(_ keys: [String], on db: any Database) async throws {
        guard !keys.isEmpty else { return }
        try await (db as! any SQLDatabase).delete(from: "blobs").where("key", .in, SQLBind.group(keys)).run()
    }
}

/// Why an image was refused: answered 413, 415 or 422 at the field, like the consultation photos.
enum MediaProblem: Error, Equatable {
    case tooLarge, notAnImage, tooManyPixels
}

/// An image of the library and its variants.
struct MediaAsset: Sendable {
    let id: String
    let alt: String
    let caption: String?
    let credit: String?
    let width: Int
    let height: Int
    let uploadedAt: Date
    let variants: [Int]
}

/// The media library: images checked by their bytes (JPEG or PNG; metadata removed by re-encoding), scaled
/// to a few widths once at upload, stored through the blob store, and served by width with a year-long cache
/// (an image's address never changes meaning: a new image is a new id).
enum MediaService {
    static let widths = [320, 640, 1024, 1600]
    static let maxPixels = 40_000_000
    static let quality: Int32 = 82
    static let maxAlt = 300

    static func blobKey(_ id: String, _ width: Int) -> String { "media/\(id)/\(width).jpg" }

    /// Scaled JPEG variants of an image (at most each of `widths`, never wider than the original; one at the
    /// original width when it is narrower than the smallest). Runs off the event loop: it is CPU work.
    static func variants(of bytes: [UInt8]) throws(MediaProblem) -> [(width: Int, height: Int, data: Data)] {
        var w: Int32 = 0, h: Int32 = 0
        let sized = bytes.withUnsafeBufferPointer { ca_image_size($0.baseAddress, $0.count, &w, &h) }
        guard sized == CA_OK, w > 0, h > 0 else { throw .notAnImage }
        guard Int(w) * Int(h) <= maxPixels else { throw .tooManyPixels }
        var targets = widths.filter { $0 <= Int(w) }
        if targets.isEmpty { targets = [Int(w)] }
        var out: [(Int, Int, Data)] = []
        for target in targets {
            var pointer: UnsafeMutablePointer<UInt8>?
            var length = 0
            var ow: Int32 = 0, oh: Int32 = 0
            let result = bytes.withUnsafeBufferPointer {
                ca_scale_to_jpeg($0.baseAddress, $0.count, maxPixels, Int32(target), quality, &pointer, &length, &ow, &oh)
            }
            guard result == CA_OK, let pointer else { throw result == CA_ERR_TOO_LARGE ? .tooManyPixels : .notAnImage }
            out.append((Int(ow), Int(oh), Data(bytes: pointer, count: length)))
            ca_free(pointer)
        }
        return out
    }

    /// Stores an image with its alt text; returns its id.
    static func upload(_ bytes: [UInt8], alt: String, caption: String?, credit: String?, providerKey: String?, user: SignedInUser, app: Application,
                       source: String, on db: any Database) async throws -> String {
        guard bytes.count <= ImageInspector.maxBytes else { throw MediaProblem.tooLarge }
        // The format by its bytes: JPEG or PNG only (HEIC cannot be scaled here).
        guard let format = ImageInspector.detect(bytes), format == .jpeg || format == .png else { throw MediaProblem.notAnImage }
        let scaled = try await app.threadPool.runIfActive { () throws -> [(width: Int, height: Int, data: Data)] in try variants(of: bytes) }
        let id = UUID().uuidString.lowercased()
        let now = app.clock.now()
        let store = app.blobStore
        try await app.writes.transaction(on: db) { tx in
            let largest = scaled.last!
            try await (tx as! any SQLDatabase).insert(into: "media_assets")
                .columns("id", "alt_text", "caption", "credit", "width", "height", "uploaded_by", "uploaded_at", "provider_key")
                .values(SQLBind(id), SQLBind(alt), SQLBind(caption), SQLBind(credit), SQLBind(largest.width), SQLBind(largest.height), SQLBind(user.id),
                        SQLBind(now), SQLBind(providerKey)).run()
            for v in scaled {
                let key = blobKey(id, v.width)
                try await store.put(key, v.data, contentType: "image/jpeg", now: now, on: tx)
                try await (tx as! any SQLDatabase).insert(into: "media_variants").columns("asset_id", "width", "height", "blob_key", "byte_count")
                    .values(SQLBind(id), SQLBind(v.width), SQLBind(v.height), SQLBind(key), SQLBind(v.data.count)).run()
            }
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "media.upload", objectType: "media",
                                                 objectID: id, source: source), at: now, app: app, on: tx)
            // A practice's photo is on its public page: every node drops that page.
            if providerKey != nil { try await ContentGeneration.bump(on: tx) }
        }
        if providerKey != nil { app.renderCache.invalidate() }
        return id
    }

    static func assets(providerKey: String?, limit: Int = 200, on db: any Database) async throws -> [MediaAsset] {
        struct Row: Decodable { let id: String; let alt_text: String; let caption: String?; let credit: String?; let width: Int; let height: Int; let uploaded_at: Date }
        var q = (db as! any SQLDatabase).select().columns("id", "alt_text", "caption", "credit", "width", "height", "uploaded_at").from("media_assets")
        q = providerKey.map { q.where("provider_key", .equal, SQLBind($0)) } ?? q.where("provider_key", .is, SQLLiteral.null)
        let rows = try await q.orderBy("uploaded_at", .descending).limit(limit).all(decoding: Row.self)
        guard !rows.isEmpty else { return [] }
        struct V: Decodable { let asset_id: String; let width: Int }
        let variants = try await (db as! any SQLDatabase).select().column("asset_id").column("width").from("media_variants")
            .where("asset_id", .in, SQLBind.group(rows.map(\.id))).all(decoding: V.self)
        return rows.map { r in
            MediaAsset(id: r.id, alt: r.alt_text, caption: r.caption, credit: r.credit, width: r.width, height: r.height, uploadedAt: r.uploaded_at,
                       variants: variants.filter { $0.asset_id == r.id }.map(\.width).sorted())
        }
    }

    /// The ids among `ids` that are editorial images of the library.
    static func existing(_ ids: Set<String>, on db: any Database) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        struct Row: Decodable { let id: String }
        return Set(try await (db as! any SQLDatabase).select().column("id").from("media_assets").where("id", .in, SQLBind.group(Array(ids)))
            .all(decoding: Row.self).map(\.id))
    }

    /// The stored variant for a requested width: the widest not wider than asked, or the narrowest there is.
    static func variant(id: String, width: Int, app: Application, on db: any Database) async throws -> (key: String, data: Data)? {
        struct V: Decodable { let width: Int; let blob_key: String }
        let list = try await (db as! any SQLDatabase).select().column("width").column("blob_key").from("media_variants")
            .where("asset_id", .equal, SQLBind(id)).orderBy("width").all(decoding: V.self)
        guard let chosen = list.last(where: { $0.width <= width }) ?? list.first,
              let blob = try await app.blobStore.get(chosen.blob_key, on: db) else { return nil }
        return (chosen.blob_key, blob.data)
    }

    static func remove(id: String, providerKey: String, user: SignedInUser, app: Application, source: String, on db: any Database) async throws {
        let now = app.clock.now()
        try await app.writes.transaction(on: db) { tx in
            let sql = tx as! any SQLDatabase
            struct V: Decodable { let blob_key: String }
            let keys = try await sql.select().column("blob_key").from("media_variants").where("asset_id", .equal, SQLBind(id)).all(decoding: V.self).map(\.blob_key)
            let rows = try await sql.delete(from: "media_assets").where("id", .equal, SQLBind(id)).where("provider_key", .equal, SQLBind(providerKey))
                .returning("id").all()
            guard rows.count == 1 else { throw Abort(.notFound) }
            try await app.blobStore.delete(keys, on: tx)
            try await AuditLog.append(AuditEntry(actorUserID: user.id, actorRole: user.role.rawValue, action: "media.delete", objectType: "media",
                                                 objectID: id, source: source), at: now, app: app, on: tx)
            try await ContentGeneration.bump(on: tx)
        }
        app.renderCache.invalidate()
    }
}

extension Application {
    private struct BlobStoreKey: StorageKey { typealias Value = any BlobStore }

    /// The store for files; the database store unless configured otherwise.
    var blobStore: any BlobStore {
        get { storage[BlobStoreKey.self] ?? DatabaseBlobStore() }
        set { storage[BlobStoreKey.self] = newValue }
    }
}
