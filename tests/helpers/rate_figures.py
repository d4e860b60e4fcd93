"""What tests of the organisation's own rate figures share."""

#: A source address that is plainly not a published rate (figures entered in tests cite it).
TEST_SOURCE = "https://example.org/test-figure-not-a-published-rate"
