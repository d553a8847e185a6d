import RosterStore
import Testing

@Suite("Store locations")
struct StoreLocationTests {
    @Test(
        arguments: [
            ("state/roster.sqlite", StoreLocation.sqlite(path: "state/roster.sqlite")),
            ("sqlite:/var/lib/roster/roster.sqlite", .sqlite(path: "/var/lib/roster/roster.sqlite")),
            ("sqlite:///var/lib/roster/roster.sqlite", .sqlite(path: "/var/lib/roster/roster.sqlite")),
            ("C:roster.sqlite", .sqlite(path: "C:roster.sqlite")),
            (
                "postgresql://roster@db:5432/roster?sslmode=require",
                .postgres(url: "postgresql://roster@db:5432/roster?sslmode=require")
            ),
            ("postgres:///roster?host=/run/postgresql", .postgres(url: "postgres:///roster?host=/run/postgresql")),
        ])
    func pathsAndURLsAreRead(text: String, expected: StoreLocation) throws {
        #expect(try StoreLocation(text) == expected)
    }

    @Test(
        arguments: [
            ("postgresql://roster:secret@db/roster", "PGPASSWORD"),
            ("postgresql://db/roster?password=secret", "PGPASSWORD"),
            ("mysql://db/roster", "unknown scheme"),
        ])
    func passwordsAndUnknownSchemesAreRefused(text: String, message: String) {
        #expect {
            _ = try StoreLocation(text)
        } throws: { error in
            "\(error)".contains(message) && !"\(error)".contains("secret")
        }
    }
}
