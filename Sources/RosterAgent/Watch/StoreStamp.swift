import RosterStore

/// What tells that the store changed: the last audit row (every change to people, accounts and
/// decisions, whoever made it) and the marker of the last proposals pass (a pass another agent
/// recorded).
struct StoreStamp: Equatable {
    var audit: Int64
    var matching: OutputMarker?

    init(_ store: any RosterStore) throws {
        audit = try store.latestAudit()
        matching = try store.outputMarker(OutputMarker.matchKeys)
    }

    /// The stamp that stands for the outputs after a refresh that began at `self`: the audit as
    /// read before it (a change made meanwhile elsewhere is seen at the next look), the pass as
    /// recorded after it (the refresh's own pass is no news).
    func afterOwnRefresh(_ store: any RosterStore) throws -> StoreStamp {
        var stamp = self
        stamp.matching = try store.outputMarker(OutputMarker.matchKeys)
        return stamp
    }
}
