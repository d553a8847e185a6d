import Foundation

/// Reads the JSON user lists that integrations' REST APIs return.
///
/// Recognised by structure: an array of GitHub user objects (`login`, `id`, `type`), GitLab users
/// (`username`, `state`), Jira Cloud users (`accountId`, `displayName`), a Slack `users.list`
/// response (`members[]`), or a PagerDuty users response (`users[]`).
public enum AccountJSON {
    /// The result of reading a JSON export.
    public struct Parsed: Sendable {
        public var kind: IntegrationKind
        public var reason: String
        public var accounts: [AccountRecord]
        public var problems: [Problem]
    }

    /// Parses `data`.
    ///
    /// - Parameter instance: The integration instance, when the config names one for this file.
    /// - Returns: The accounts, or a problem saying why the JSON can't be read (with its line and column).
    public static func parse(_ data: [UInt8], instance: String?) -> Result<Parsed, Problem> {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(data))
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            var line = 0
            var place = ""
            if let offset = Self.characterOffset(in: detail) {
                let (l, c) = Self.lineAndColumn(of: offset, in: data)
                line = l
                place = "column \(c)"
            }
            return .failure(
                Problem(
                    line: line, column: place, problem: "the JSON does not parse: \(detail)",
                    fix: "export the file again; JSON files must be complete and valid"))
        }

        func elements(_ value: Any?) -> [[String: Any]]? {
            guard let array = value as? [Any] else { return nil }
            let objects = array.compactMap { $0 as? [String: Any] }
            return objects.count == array.count ? objects : nil
        }

        if let dictionary = object as? [String: Any] {
            if let members = elements(dictionary["members"]) {
                return .success(
                    read(
                        members, kind: .slack, path: "members", instance: instance,
                        reason: "a Slack users.list response (members[])"))
            }
            if let users = elements(dictionary["users"]) {
                return .success(
                    read(
                        users, kind: .pagerduty, path: "users", instance: instance,
                        reason: "a PagerDuty users response (users[])"))
            }
        }
        if let array = elements(object) {
            let sample = array.prefix(20)
            func has(_ key: String) -> Bool { sample.contains { $0[key] != nil } }
            if array.isEmpty {
                return .failure(
                    Problem(line: 1, problem: "the JSON array is empty", fix: "export at least one user"))
            }
            if has("accountId") {
                return .success(
                    read(
                        array, kind: .jira, path: "", instance: instance,
                        reason: "an array of Jira users (accountId, displayName)"))
            }
            if has("username"), has("state") {
                return .success(
                    read(
                        array, kind: .gitlab, path: "", instance: instance,
                        reason: "an array of GitLab users (username, state)"))
            }
            if has("login"), has("id") {
                return .success(
                    read(
                        array, kind: .github, path: "", instance: instance,
                        reason: "an array of GitHub users (login, id)"))
            }
        }
        return .failure(
            Problem(
                line: 1,
                problem: "the JSON matches no known export",
                fix: "Roster reads arrays of GitHub users (login, id), GitLab users (username, state), "
                    + "Jira users (accountId), a Slack users.list response (members) and a PagerDuty users response (users)"
            ))
    }

    private static func read(
        _ objects: [[String: Any]], kind: IntegrationKind, path: String, instance: String?, reason: String
    ) -> Parsed {
        var accounts: [AccountRecord] = []
        var problems: [Problem] = []
        let integration = instance ?? kind.defaultInstance
        for (index, object) in objects.enumerated() {
            let position = "\(path)[\(index)]"
            func string(_ key: String, in dictionary: [String: Any]? = nil) -> String? {
                let value = (dictionary ?? object)[key]
                let text: String?
                if let s = value as? String {
                    text = s
                } else if let n = value as? NSNumber, !(value is Bool) {
                    text = n.stringValue
                } else if let i = value as? Int {
                    text = String(i)
                } else {
                    text = nil
                }
                let trimmed = text?.trimmingWhitespace()
                return trimmed?.isEmpty == false ? trimmed : nil
            }
            func bool(_ key: String) -> Bool? {
                if let b = object[key] as? Bool { return b }
                if let s = object[key] as? String { return AccountCSVLayout.truthy(s) }
                return nil
            }
            let idKey: String
            var login: String?
            var name: String?
            var email: String?
            var active = true
            var isBot = false
            switch kind {
            case .github:
                idKey = "id"
                login = string("login")
                name = string("name")
                email = string("email")
                isBot = string("type")?.lowercased() == "bot"
                if object["suspended_at"] is String { active = false }
            case .gitlab:
                idKey = "id"
                login = string("username")
                name = string("name")
                email = string("email") ?? string("public_email")
                active = (string("state") ?? "active").lowercased() == "active"
                isBot = bool("bot") ?? false
            case .jira:
                idKey = "accountId"
                name = string("displayName")
                email = string("emailAddress")
                active = bool("active") ?? true
                isBot = string("accountType")?.lowercased() == "app"
            case .slack:
                idKey = "id"
                login = string("name")
                let profile = object["profile"] as? [String: Any]
                name = string("real_name") ?? string("real_name", in: profile) ?? string("display_name", in: profile)
                email = string("email", in: profile)
                active = !(bool("deleted") ?? false)
                isBot = (bool("is_bot") ?? false) || string("id") == "USLACKBOT"
            case .pagerduty:
                idKey = "id"
                name = string("name")
                email = string("email")
            case .generic:
                idKey = "account_id"
            }
            guard let id = string(idKey) else {
                problems.append(
                    Problem(
                        line: 0, column: "\(position).\(idKey)", problem: "the account id is empty",
                        fix: "every account needs its id; export the file again"))
                continue
            }
            accounts.append(
                AccountRecord(
                    line: 0, position: position, key: AccountKey(integration: integration, accountID: id), login: login,
                    displayName: name, email: email, active: active, isBot: isBot))
        }
        return Parsed(kind: kind, reason: "the JSON is \(reason)", accounts: accounts, problems: problems)
    }

    /// The number in "… around character 23." or "… around line 3, column 5.".
    static func characterOffset(in detail: String) -> Int? {
        guard let range = detail.range(of: "character ") else { return nil }
        return Int(detail[range.upperBound...].prefix { $0.isNumber })
    }

    /// The 1-based line and column of a character offset.
    static func lineAndColumn(of offset: Int, in data: [UInt8]) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
