"""Filing into the AB archive: the one function that stores a document (`store`), what a file
holds (`sniff`, `extract`, OCR), what it is about (`classify`, `parties`), which case it belongs
to (`caselink`, `relink`), the inbox and its watcher (`intake` with `outcome`, `preflight` and
`failed`; `watcher`, `stability`, `snapshot`, `uploads`) and the archive's integrity
(`fixity`)."""
