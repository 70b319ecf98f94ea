package dev.edgewire.runtime;

import java.util.Objects;
import java.util.function.Supplier;

/** A value built on first use, once, then shared; for clients and secrets a function may never need. */
public final class Lazy<T> implements Supplier<T> {

    private final Supplier<? extends T> factory;
    private volatile T value;

    private Lazy(Supplier<? extends T> factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    public static <T> Lazy<T> of(Supplier<? extends T> factory) {
        return new Lazy<>(factory);
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = Objects.requireNonNull(factory.get(), "factory returned null");
                    value = v;
                }
            }
        }
        return v;
    }
}
