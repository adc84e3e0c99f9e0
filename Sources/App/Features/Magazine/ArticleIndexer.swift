import Foundation
import Fluent
import SQLKit
import Domain

/// Keeps the article full-text index in step with the articles.
enum ArticleIndexer {
    static func document(title: String, summary: String, markdown: String) -> String {
        SearchText.document([title, title, summary, HTMLSanitizer.plainText(markdown: markdown)])
    }

    static func reindexAll(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let articles = try await Article.query(on: db).all()
        if sql.dialect.name == "sqlite" {
            try await sql.raw("DELETE FROM article_fts").run()
        }
        for a in articles {
            let text = document(title: a.title, summary: a.summary, markdown: a.bodyMarkdown)
            try await sql.update("articles").set("search_text", to: text).where("id", .equal, a.id!).run()
            if sql.dialect.name == "sqlite" {
                try await sql.raw("INSERT INTO article_fts(rowid, search_text) VALUES (\(bind: a.id!), \(bind: text))").run()
            }
        }
    }
}
