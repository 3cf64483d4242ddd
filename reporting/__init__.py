"""The funnel report a sales manager reads after every run: one static HTML file written from
the published marts (plain Python; `orchestration` runs it as the `funnel_report` asset)."""
