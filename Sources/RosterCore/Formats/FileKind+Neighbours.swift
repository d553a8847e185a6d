extension FileKind {
    /// The files of neighbouring tools, told apart by their headers: SEI's developers CSV (it has
    /// `manager email`), DevLake's `users.csv` (`TeamIds`, which Roster's users CSV never has) and
    /// DevLake's `user_account_mapping.csv` (`UserId`).
    static func recogniseNeighbour(_ header: [String]) -> Recognition? {
        if SEIDevelopers.matches(header: header) {
            return .kind(.seiDevelopersCSV, instance: nil, reason: "the header has full_name, email and manager email")
        }
        if DevLakeTeams.isUsers(header: header) {
            return .kind(.devlakeUsersCSV, instance: nil, reason: "the header is DevLake's Id,Name,Email,TeamIds")
        }
        if DevLakeTeams.isAccountMapping(header: header) {
            return .kind(
                .devlakeAccountMappingCSV, instance: nil, reason: "the header has DevLake's account columns and UserId")
        }
        return nil
    }
}
