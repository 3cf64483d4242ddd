"""Plain-Python connectors: Salesforce, Marketo and Gong into the raw layer (contracts 4)."""
