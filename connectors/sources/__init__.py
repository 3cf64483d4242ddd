"""One reader per vendor; each turns a stream and its state into pages of records."""
