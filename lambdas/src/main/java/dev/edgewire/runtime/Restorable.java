package dev.edgewire.runtime;

/**
 * A handler with state to renew when Lambda restores its function from a SnapStart snapshot: the
 * function's {@code afterRestore} hook calls it before the first invocation.
 */
public interface Restorable {

    /** Renews what must not be carried over from the snapshot; must not throw, and must return within seconds. */
    void afterRestore();
}
