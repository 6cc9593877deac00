"""Links to external open data: identifier syntax and checksums, the Wikidata reconciliation
client, review files, and the linking status report."""
