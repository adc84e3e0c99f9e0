import Foundation
import Plot
import Domain

/// Tasks on the facilitator's request page and, for a visa letter, on the provider's case page.
enum TaskPages {
    static func due(_ task: ShownTask, today: String, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard let due = task.dueOn, let date = ISODate.parse(due) else { return .plain(t("tasks.noDue")) }
        return task.isOverdue(today: today)
            ? .strong(.class("overdue"), .plain(t("tasks.overdue", ["date": t.date(date)])))
            : .plain(t("tasks.due", ["date": t.date(date)]))
    }

    static func pipelineSection(reference: String, tasks: [ShownTask], cases: [(reference: String, provider: String)], today: String,
                                csrf: String, state: FormState, _ t: Localizer) -> Node<HTML.BodyContext> {
        let labels = ["task_kind": t("tasks.field.kind"), "task_title": t("tasks.field.title"), "task_due": t("tasks.field.due"),
                      "task_case": t("tasks.field.case")]
        return .section(.class("tasks"), .id("tasks"),
            .h2(.plain(t("tasks.title"))),
            tasks.isEmpty ? .p(.class("muted"), .plain(t("tasks.none"))) :
            .table(.class("data"),
                .thead(.tr(.th(.plain(t("tasks.field.title"))), .th(.plain(t("tasks.field.due"))), .th(.plain(t("tasks.status"))), .th(.plain("")))),
                .tbody(.forEach(tasks) { task in
                    .tr(.class(task.isOverdue(today: today) ? "overdue" : ""),
                        .td(.plain(task.title), .if(task.providerName != nil, .plain(" · " + (task.providerName ?? "")))),
                        .td(due(task, today: today, t)),
                        .td(.plain(t("tasks.status.\(task.status.rawValue)"))),
                        .td(task.status == .open
                            ? Fields.form(action: SiteURL.pipelineTasks(.value(reference)).path, csrf: csrf, classes: "inline-form", [
                                Fields.hidden("action", "done"), Fields.hidden("task", String(task.id)),
                                .button(.type(.submit), .class("button secondary"), .plain(t("tasks.markDone")))])
                            : .empty))
                })),
            .h3(.plain(t("tasks.add"))),
            Fields.summary(state, labels: labels, t),
            Fields.form(action: SiteURL.pipelineTasks(.value(reference)).path, csrf: csrf, [
                Fields.hidden("action", "add"),
                Fields.select("task_kind", label: labels["task_kind"] ?? "",
                              options: CaseTask.Kind.allCases.map { ($0.rawValue, t("tasks.kind.\($0.rawValue)")) }, state: state, t, required: true),
                Fields.input("task_title", label: labels["task_title"] ?? "", state: state, t, hint: t("tasks.field.title.hint"), maxLength: TaskLimits.title),
                Fields.select("task_case", label: labels["task_case"] ?? "", options: cases.map { ($0.reference, "\($0.provider) · \($0.reference)") },
                              state: state, t, hint: t("tasks.field.case.hint"), placeholder: t("form.choose")),
                Fields.input("task_due", label: labels["task_due"] ?? "", type: "date", state: state, t),
                .button(.type(.submit), .class("button primary"), .plain(t("tasks.add.submit")))]))
    }

    /// On the provider's case page: what the patient's facilitator asks of the team.
    static func inboxSection(reference: String, tasks: [ShownTask], today: String, csrf: String, _ t: Localizer) -> Node<HTML.BodyContext> {
        guard !tasks.isEmpty else { return .empty }
        return .section(.class("tasks"),
            .h2(.plain(t("tasks.inbox.title"))),
            .ul(.forEach(tasks) { task in
                .li(.strong(.plain(task.title)), .plain(" · "), due(task, today: today, t), .plain(" · "), .plain(t("tasks.status.\(task.status.rawValue)")),
                    task.status == .open
                        ? Fields.form(action: SiteURL.inboxTasks(.value(reference)).path, csrf: csrf, classes: "inline-form", [
                            Fields.hidden("task", String(task.id)),
                            .button(.type(.submit), .class("button secondary"), .plain(t("tasks.inbox.done")))])
                        : .empty)
            }))
    }
}
