"""Every change to the orders app's records: typed, atomic, each with its event."""
