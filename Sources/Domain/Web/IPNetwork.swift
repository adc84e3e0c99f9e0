import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or a single address).
///
/// Written here because the platform's networking types parse addresses but do not compare them with prefixes;
/// `inet_pton` does the parsing, so only the prefix arithmetic is ours.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]
    public let prefixLength: Int
    public let description: String

    /// Parses `address/prefix` or a bare address (a host route).
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.parse(String(parts[0])) else { return nil }
        let bits = address.count * 8
        var length = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = value
        }
        bytes = Self.masked(address, length)
        prefixLength = length
        description = trimmed
    }

    /// Whether `address` (a textual IPv4 or IPv6 address) lies in this network. IPv4-mapped IPv6 addresses
    /// (`::ffff:10.0.0.1`) count as their IPv4 address.
    public func contains(_ address: String) -> Bool {
        guard var parsed = Self.parse(address) else { return false }
        if parsed.count == 16, bytes.count == 4, parsed.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) {
            parsed = Array(parsed.suffix(4))
        }
        guard parsed.count == bytes.count else { return false }
        return Self.masked(parsed, prefixLength) == bytes
    }

    /// The bytes of a textual IPv4 (4) or IPv6 (16) address, or nil.
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if text.withCString({ inet_pton(AF_INET, $0, &v4) }) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        let candidate = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        if candidate.withCString({ inet_pton(AF_INET6, $0, &v6) }) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    private static func masked(_ address: [UInt8], _ length: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let keep = max(0, min(8, length - index * 8))
            return keep == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
    }

    /// The client of a request that reached us from `peer` with these `X-Forwarded-For` values: the right-most
    /// address that is not one of `trusted` proxies. Without a trusted peer the header is ignored (anyone can
    /// write it), so the peer itself is the client.
    public static func client(peer: String?, forwardedFor: [String], trusted: [IPNetwork]) -> String? {
        guard let peer, !trusted.isEmpty, trusted.contains(where: { $0.contains(peer) }) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard parse(hop) != nil else { return peer } // a malformed hop: trust nothing to its left
            if !trusted.contains(where: { $0.contains(hop) }) { return hop }
        }
        return hops.first.flatMap { parse($0) != nil ? $0 : nil } ?? peer
    }
}
