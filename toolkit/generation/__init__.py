"""Generation: hard negatives from parsed captions. The SWAP / REPLACE / ADD operators and the realiser that
turns their edits into fluent sentences, the corpus counts and caption language model that rank and drop
choices, the batch pipeline into the store (pipeline, chunks), one-off negatives, and the compiled build of
the hot path (native). Imports text and store."""
