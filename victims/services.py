"""Every change to the victims app's records: typed, atomic, each with its event."""
