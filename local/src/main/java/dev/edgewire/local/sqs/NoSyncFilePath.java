package dev.edgewire.local.sqs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * H2's file system ({@code nosync:} before a path) with {@link FileChannel#force} left out, for the SQS
 * service's message store. Every commit is written to the file before the queue answers (the store's
 * {@code WRITE_DELAY=0}), which is what keeps acknowledged messages when the process is killed: the
 * operating system holds the written pages. What {@code force} adds is safety from an operating system
 * crash or power loss, which the store does not claim. H2 forces the file each time it shrinks it, and
 * with space reused after every commit ({@code RETENTION_TIME=0}) that was most commits: a sendMessage
 * flood of 100 a second then waited on the disk, seconds per call, and held back the fan-out's receives.
 */
public final class NoSyncFilePath extends FilePathWrapper {

    /** The prefix of a database path on this file system. */
    public static final String SCHEME = "nosync";

    static {
        FilePath.register(new NoSyncFilePath());
    }

    /** Registers the file system with H2, once per JVM; returns the prefix for {@code path}. */
    static String prefix(String path) {
        return SCHEME + ":" + path;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        return new Channel(getBase().open(mode));
    }

    /** The base file's channel, without {@code force}. */
    private static final class Channel extends FileBase {

        private final FileChannel base;

        Channel(FileChannel base) {
            this.base = base;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return base.read(dst);
        }

        @Override
        public synchronized int read(ByteBuffer dst, long position) throws IOException {
            return base.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return base.write(src);
        }

        @Override
        public synchronized int write(ByteBuffer src, long position) throws IOException {
            return base.write(src, position);
        }

        @Override
        public long position() throws IOException {
            return base.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            base.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return base.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            base.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) {
            // left out: see the class comment
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return base.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            base.close();
        }
    }
}
