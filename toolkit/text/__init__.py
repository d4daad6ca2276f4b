"""Text: captions in, parses and scenes out. Readers of caption and pair files (records, ingest), the
spaCy pipeline (nlp), the stored token parse (parse), the scene view of objects, attributes and relations
(scene), English inflection (morph) and the lexicon of atomic concepts. Imports nothing above it."""
