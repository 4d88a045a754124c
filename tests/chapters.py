"""Which book chapter teaches which disorder: one map for the book-build and browser tests."""

DISORDER_CHAPTERS = {
    "myasthenia_gravis": "book/myasthenia-gravis",
    "cidp": "book/cidp",
    "mmn": "book/mmn",
    "paraproteinemic": "book/paraproteinemic-neuropathies",
    "myositis": "book/inflammatory-myopathies",
}
