/// How far a derived output has caught up with the audit log.
///
/// Outputs that are costly to rebuild over a large roster (org-unit memberships, the blocking-key
/// index of matching) keep one marker each: the last audit row they reflect, and a fingerprint of
/// whatever else they depend on (the org-unit definitions, the version of the blocking keys). A
/// consumer asks ``MatchingStore/peopleChanged(sinceAudit:)`` for the people touched since its
/// marker and brings only those up to date; a missing marker or a different fingerprint means a
/// full rebuild. A marker is saved after the output is written, so a crash in between only means
/// the same people are brought up to date again.
public struct OutputMarker: Sendable, Equatable {
    /// The id of the last audit row the output reflects.
    public var audit: Int64
    /// What else the output was built from; a different one means rebuild in full.
    public var fingerprint: String

    public init(audit: Int64, fingerprint: String) {
        self.audit = audit
        self.fingerprint = fingerprint
    }
}
