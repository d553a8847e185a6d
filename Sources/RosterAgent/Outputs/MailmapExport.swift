public import RosterStore

/// A git mailmap: `Proper Name <canonical@email> <other@email>` for every other email of every
/// person who has several, sorted, so that `git shortlog` and `git check-mailmap` credit people as
/// Roster knows them.
public enum MailmapExport {
    /// The mailmap text of the store.
    public static func text(store: any RosterStore) throws -> String {
        var lines: [String] = []
        try store.forEachPerson { person in
            guard let primary = person.primaryEmail, !person.otherEmails.isEmpty else { return }
            // A name with angle brackets or line breaks can't stand in a mailmap: map the email only.
            let usable = !person.name.contains(where: { "<>\n\r".contains($0) })
            let name = usable ? person.name + " " : ""
            for other in person.otherEmails {
                lines.append("\(name)<\(primary)> <\(other)>")
            }
        }
        lines.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return lines.map { $0 + "\n" }.joined()
    }
}
