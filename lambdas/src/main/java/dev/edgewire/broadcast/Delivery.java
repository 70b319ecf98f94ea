package dev.edgewire.broadcast;

/** The outcome of one post to one connection. */
public enum Delivery {
    DELIVERED,
    /** API Gateway answered 410: the client is gone, and its row has been deleted. */
    GONE,
    FAILED
}
