"""One stream's runtime: stdin lines in, outcomes out to the hub, each line exactly once."""
