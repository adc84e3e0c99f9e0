import Foundation
import Plot
import Domain

/// The editors' media library: upload with alt text, and each image with the line to put in an article.
enum MediaPages {
    static func markdown(_ a: MediaAsset) -> String { "![\(a.alt)](\(SiteURL.media(id: .value(a.id), width: .value("1024")).path))" }

    static func library(_ assets: [MediaAsset], state: FormState, uploaded: String?, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let labels = ["image": t("media.field.image"), "alt": t("media.field.alt"), "caption": t("media.field.caption"), "credit": t("media.field.credit")]
        return Page(title: t("studio.media"), description: t("studio.media"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                StudioPages.nav(t),
                .h1(.plain(t("studio.media"))),
                .p(.class("lead"), .plain(t("media.lead"))),
                .if(uploaded != nil, .p(.class("notice success"), .attr("role", "status"), .plain(t("media.uploaded")))),
                .h2(.id("upload"), .plain(t("media.upload"))),
                Fields.summary(state, labels: labels, t),
                Fields.form(action: SiteURL.studioMedia.path, csrf: csrf, multipart: true, [
                    .div(.classes("field", state.hasError("image") ? "has-error" : ""),
                        .label(.attr("for", "image"), .plain(labels["image"]!)),
                        .p(.class("hint"), .id("image-hint"), .plain(t("media.field.image.hint"))),
                        Fields.errors("image", state, t),
                        .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "file"), .attr("id", "image"), .attr("name", "image"),
                                                                        .attr("accept", "image/jpeg,image/png"), .attr("aria-describedby", "image-hint")])),
                    Fields.input("alt", label: labels["alt"]!, state: state, t, hint: t("media.field.alt.hint"), required: true, maxLength: MediaService.maxAlt),
                    Fields.input("caption", label: labels["caption"]!, state: state, t, maxLength: 300),
                    Fields.input("credit", label: labels["credit"]!, state: state, t, hint: t("media.field.credit.hint"), maxLength: 160),
                    .button(.type(.submit), .class("button primary"), .plain(t("media.upload.submit"))),
                ]),
                .h2(.plain(t("media.library"))),
                assets.isEmpty ? .p(.class("hint"), .plain(t("media.none"))) :
                .ul(.class("media-grid"), .forEach(assets) { a in
                    .li(.classes("media-item", a.id == uploaded ? "highlight" : ""), .id("m-\(a.id)"),
                        .img(.src(SiteURL.media(id: .value(a.id), width: .value("320")).path), .attr("alt", a.alt), .attr("loading", "lazy"), .attr("width", "320"),
                             .attr("height", "\(a.width > 0 ? 320 * a.height / a.width : 0)")),
                        .p(.plain(a.alt)),
                        .p(.class("fineprint"), .plain(t("media.size", ["width": "\(a.width)", "height": "\(a.height)"]))),
                        .label(.attr("for", "md-\(a.id)"), .class("fineprint"), .plain(t("media.markdown"))),
                        .selfClosedElement(named: "input", attributes: [Attribute<HTML.BodyContext>.attr("type", "text"), .attr("readonly", "readonly"),
                                                                        .attr("id", "md-\(a.id)"), .attr("value", markdown(a))]))
                })
            )).render(ctx)
    }
}
