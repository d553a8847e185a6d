public import RosterCore

/// Memberships of org units to store, in full or for some people.
public enum OrgUnitMembersChange: Sendable, Equatable {
    /// Every unit's members, in the units' order: replaces everything stored.
    case all([OrgUnitMembers])
    /// The units (by name) of each of these people, none for someone in no unit or gone: replaces
    /// their stored memberships only.
    case people([PersonID: [String]])
}

/// One org unit and its members.
public struct OrgUnitMembers: Sendable, Equatable {
    public var unit: String
    public var members: [PersonID]

    public init(unit: String, members: [PersonID]) {
        self.unit = unit
        self.members = members
    }
}

/// What the store knows of an org unit's member file.
public struct OrgUnitFileState: Sendable, Equatable {
    /// The members the file held when the memberships were last saved.
    public var members: Int
    /// Whether the file may have been written since with changes not saved yet.
    public var pending: Bool

    public init(members: Int, pending: Bool) {
        self.members = members
        self.pending = pending
    }
}

extension OutputMarker {
    /// The name of the org units' marker.
    public static let orgUnitsName = "org-units"
}
