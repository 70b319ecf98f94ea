package dev.edgewire.device.outbox;

import dev.edgewire.device.DeviceException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The durable outbox: a reading is stored here before it is sent and removed only once the target
 * acknowledged it (PUBACK for QoS 1, a 2xx answer over HTTPS). What is still here when the process
 * ends, however it ends, is sent by the next run. Each device's {@code seq} counter lives in the
 * same database and moves in the same transaction as the stored reading, so a crash can neither
 * reuse a {@code seq} nor leave a gap.
 *
 * <p>Storage is SQLite in WAL mode. With {@link Durability#PROCESS_CRASH} (synchronous=NORMAL) a
 * commit is written to the WAL file before {@link #appendAll} returns, but fsynced only at the next
 * checkpoint: the operating system holds it, so it survives the process being killed at any point
 * (SIGKILL included), not the machine losing power, where the last commits may go (never a torn
 * one: the database stays consistent). That is the default because a device simulator's process
 * dies far more often than its host, and one fsync per commit would cap the rate at the disk's
 * flush rate. With {@link Durability#POWER_LOSS} (synchronous=FULL) every commit is also fsynced.
 * Either way a burst of readings is one transaction (group commit), so the cost of a commit is
 * shared by the whole burst, and no reading is handed out for sending before its commit.
 *
 * <p>One run at a time: a run holds an exclusive lock on {@code FILE.lock} while the outbox is open,
 * and a second run is told the outbox is in use. An outbox belongs to one target: the endpoint it
 * was first opened for is stored in it, and opening it for another is refused, so readings queued
 * for local mode never go to AWS, nor the other way round.
 *
 * <p>Bounded: once {@code capacity} readings are waiting, {@link #append} refuses new ones with
 * {@link OutboxFullException} and nothing already stored is dropped. The oldest readings are the
 * ones the next connection delivers first.
 */
public final class Outbox implements AutoCloseable {

    /** How much a committed reading survives. */
    public enum Durability {
        PROCESS_CRASH("NORMAL"), POWER_LOSS("FULL");

        private final String synchronous;

        Durability(String synchronous) {
            this.synchronous = synchronous;
        }
    }

    /** A stored reading waiting for its acknowledgement. */
    public record Entry(long id, String deviceId, long seq, String topic, byte[] payload) {
    }

    /** Acknowledgements are written in batches at least this often. */
    private static final long ACK_FLUSH_MILLIS = 20;
    /**
     * Most readings stored by one INSERT statement. Several rows a statement roughly halve SQLite's
     * CPU per reading (measured 8-10 us against 4.5-5 us at 32 rows), since binding, stepping and
     * reading back the ids cost per statement as much as per row.
     */
    private static final int ROWS_PER_INSERT = 32;

    private final Connection db;
    private final int capacity;
    private final Path file;
    /** INSERT statements by their number of rows, prepared when first needed. */
    private final PreparedStatement[] inserts = new PreparedStatement[ROWS_PER_INSERT + 1];
    private final PreparedStatement saveSeq;
    private final PreparedStatement loadSeq;
    private final PreparedStatement delete;
    private final Map<String, Long> nextSeq = new HashMap<>();
    private final Queue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService flusher;
    private int size;

    private final FileChannel lockFile;
    private final FileLock lock;

    private Outbox(Connection db, int capacity, Path file, FileChannel lockFile, FileLock lock) throws SQLException {
        this.lockFile = lockFile;
        this.lock = lock;
        this.db = db;
        this.capacity = capacity;
        this.file = file;
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM outbox")) {
            rs.next();
            size = rs.getInt(1);
        }
        saveSeq = db.prepareStatement("INSERT INTO device_seq(device_id, next_seq) VALUES (?, ?) "
                + "ON CONFLICT(device_id) DO UPDATE SET next_seq = excluded.next_seq");
        loadSeq = db.prepareStatement("SELECT next_seq FROM device_seq WHERE device_id = ?");
        delete = db.prepareStatement("DELETE FROM outbox WHERE id BETWEEN ? AND ?");
        // Removing acknowledged readings in batches keeps one transaction per reading off the hot path;
        // a crash before a batch is written only means those readings are sent once more (seq tells).
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "outbox-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flushQuietly, ACK_FLUSH_MILLIS, ACK_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens (creating if needed) the outbox at {@code file} for {@code target} (for example
     * {@code localhost:8883}), holding it for this run.
     *
     * @throws DeviceException when another run holds it, or it holds readings for another target
     */
    public static Outbox open(Path file, int capacity, Durability durability, String target) {
        return openFor(file, capacity, durability, java.util.Objects.requireNonNull(target, "target"));
    }

    /**
     * Opens the outbox at {@code file} whatever target it holds readings for, holding it for this
     * run: for tools that look into an outbox, not for sending from it.
     */
    public static Outbox open(Path file, int capacity, Durability durability) {
        return openFor(file, capacity, durability, null);
    }

    private static Outbox openFor(Path file, int capacity, Durability durability, String target) {
        if (capacity < 1) {
            throw DeviceException.usage("outbox capacity must be at least 1, not " + capacity);
        }
        FileChannel lockFile = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path lockPath = file.resolveSibling(file.getFileName() + ".lock");
            lockFile = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            FileLock lock;
            try {
                lock = lockFile.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(lockPath).strip();
                throw DeviceException.usage("The outbox " + file + " is in use by another run"
                        + (holder.isEmpty() ? "" : " (process " + holder + ")")
                        + "; wait for it to end, or give this run its own with --outbox.");
            }
            lockFile.truncate(0).write(java.nio.ByteBuffer.wrap(
                    Long.toString(ProcessHandle.current().pid()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=" + durability.synchronous);
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS outbox (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          device_id TEXT NOT NULL,
                          seq INTEGER NOT NULL,
                          topic TEXT NOT NULL,
                          payload BLOB NOT NULL,
                          stored_at INTEGER NOT NULL)""");
                s.execute("CREATE INDEX IF NOT EXISTS outbox_device ON outbox(device_id, id)");
                s.execute("CREATE TABLE IF NOT EXISTS device_seq (device_id TEXT PRIMARY KEY, next_seq INTEGER NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            }
            if (target != null) {
                bindTarget(db, file, target);
            }
            db.setAutoCommit(false);
            return new Outbox(db, capacity, file, lockFile, lock);
        } catch (SQLException | IOException e) {
            closeQuietly(lockFile);
            throw new DeviceException(2, "Could not open the outbox " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(lockFile);
            throw e;
        }
    }

    /** Stores {@code target} in a new outbox; refuses one that already holds another. */
    private static void bindTarget(Connection db, Path file, String target) throws SQLException {
        try (PreparedStatement read = db.prepareStatement("SELECT value FROM meta WHERE key = 'target'");
             ResultSet rs = read.executeQuery()) {
            if (rs.next()) {
                String bound = rs.getString(1);
                if (!bound.equals(target)) {
                    db.close();
                    throw DeviceException.usage("The outbox " + file + " holds readings for " + bound + ", not for "
                            + target + "; they are never sent anywhere else. Give this target its own with --outbox"
                            + " (by default each target and thing has one under ~/.edgewire/outbox/).");
                }
                return;
            }
        }
        try (PreparedStatement write = db.prepareStatement("INSERT INTO meta(key, value) VALUES ('target', ?)")) {
            write.setString(1, target);
            write.executeUpdate();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing the lock after a failed open: nothing more to do.
            }
        }
    }

    /**
     * Takes the device's next {@code seq}, builds the payload for it and stores both in one
     * transaction.
     *
     * @throws OutboxFullException when {@code capacity} readings are already waiting
     */
    public Entry append(String deviceId, String topic, LongFunction<byte[]> payloadForSeq) {
        List<Entry> stored = appendAll(deviceId, topic, 1, payloadForSeq);
        if (stored.isEmpty()) {
            throw new OutboxFullException(capacity, file);
        }
        return stored.get(0);
    }

    /**
     * Stores up to {@code count} readings of a device with consecutive {@code seq} numbers in one
     * transaction (one commit for a burst, instead of one per reading). Stores fewer, possibly none,
     * when the outbox has room for fewer; nothing stored is ever dropped to make room.
     */
    public synchronized List<Entry> appendAll(String deviceId, String topic, int count, LongFunction<byte[]> payloadForSeq) {
        if (size + count > capacity) {
            flush();
        }
        int room = Math.min(count, capacity - size);
        List<Entry> stored = new ArrayList<>(Math.max(0, room));
        if (room <= 0) {
            return stored;
        }
        try {
            long firstSeq = nextSeq(deviceId);
            long now = System.currentTimeMillis();
            byte[][] payloads = new byte[room][];
            long[] ids = new long[room];
            for (int done = 0; done < room; ) {
                int rows = Math.min(ROWS_PER_INSERT, room - done);
                PreparedStatement insert = insertOf(rows);
                int p = 1;
                for (int i = done; i < done + rows; i++) {
                    payloads[i] = payloadForSeq.apply(firstSeq + i);
                    insert.setString(p++, deviceId);
                    insert.setLong(p++, firstSeq + i);
                    insert.setString(p++, topic);
                    insert.setBytes(p++, payloads[i]);
                    insert.setLong(p++, now);
                }
                // RETURNING hands back the ids in the same step (getGeneratedKeys would run another query),
                // in no promised order: each id is matched to its reading by seq.
                try (ResultSet keys = insert.executeQuery()) {
                    while (keys.next()) {
                        ids[(int) (keys.getLong(2) - firstSeq)] = keys.getLong(1);
                    }
                }
                done += rows;
            }
            for (int i = 0; i < room; i++) {
                stored.add(new Entry(ids[i], deviceId, firstSeq + i, topic, payloads[i]));
            }
            long seq = firstSeq + room;
            saveSeq.setString(1, deviceId);
            saveSeq.setLong(2, seq);
            saveSeq.executeUpdate();
            db.commit();
            nextSeq.put(deviceId, seq);
            size += room;
            return stored;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new DeviceException(2, "Could not store a reading in the outbox " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    private PreparedStatement insertOf(int rows) throws SQLException {
        if (inserts[rows] == null) {
            StringBuilder sql = new StringBuilder("INSERT INTO outbox(device_id, seq, topic, payload, stored_at) VALUES ");
            for (int i = 0; i < rows; i++) {
                sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?)");
            }
            inserts[rows] = db.prepareStatement(sql.append(" RETURNING id, seq").toString());
        }
        return inserts[rows];
    }

    private long nextSeq(String deviceId) throws SQLException {
        Long cached = nextSeq.get(deviceId);
        if (cached != null) {
            return cached;
        }
        loadSeq.setString(1, deviceId);
        try (ResultSet rs = loadSeq.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The next {@code seq} the device would get, without taking it. */
    public synchronized long peekNextSeq(String deviceId) {
        try {
            long seq = nextSeq(deviceId);
            db.commit();
            return seq;
        } catch (SQLException e) {
            throw new DeviceException(2, "Could not read the outbox " + file + ": " + e.getMessage(), e);
        }
    }

    /** Readings of a device still waiting for an acknowledgement, oldest first. */
    public synchronized List<Entry> pending(String deviceId) {
        flush();
        List<Entry> entries = new ArrayList<>();
        try (PreparedStatement select = db.prepareStatement(
                "SELECT id, seq, topic, payload FROM outbox WHERE device_id = ? ORDER BY id")) {
            select.setString(1, deviceId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    entries.add(new Entry(rs.getLong(1), deviceId, rs.getLong(2), rs.getString(3), rs.getBytes(4)));
                }
            }
            db.commit();
        } catch (SQLException e) {
            throw new DeviceException(2, "Could not read the outbox " + file + ": " + e.getMessage(), e);
        }
        return entries;
    }

    /**
     * Forgets an acknowledged reading. The removal reaches the disk with the next batch (within
     * {@value #ACK_FLUSH_MILLIS} ms); removing one that is already gone does nothing.
     */
    public void remove(long id) {
        acknowledged.add(id);
    }

    /**
     * Writes the removals of acknowledged readings now, in one transaction. Acknowledgements mostly
     * come in the order the readings were stored, so consecutive ids are removed as one range.
     */
    public synchronized void flush() {
        if (acknowledged.isEmpty()) {
            return;
        }
        try {
            long[] ids = drainAcknowledged();
            Arrays.sort(ids);
            int removed = 0;
            for (int i = 0; i < ids.length; ) {
                int j = i;
                while (j + 1 < ids.length && ids[j + 1] <= ids[j] + 1) {
                    j++;
                }
                delete.setLong(1, ids[i]);
                delete.setLong(2, ids[j]);
                delete.addBatch();
                i = j + 1;
            }
            for (int count : delete.executeBatch()) {
                removed += Math.max(0, count);
            }
            db.commit();
            size -= removed;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new DeviceException(2, "Could not update the outbox " + file + ": " + e.getMessage(), e);
        }
    }

    private long[] drainAcknowledged() {
        long[] ids = new long[64];
        int n = 0;
        Long id;
        while ((id = acknowledged.poll()) != null) {
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
            }
            ids[n++] = id;
        }
        return Arrays.copyOf(ids, n);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            // Kept in memory no longer, so these readings are sent again next run: at-least-once still holds.
        }
    }

    /** Readings waiting, all devices. */
    public synchronized int size() {
        flush();
        return size;
    }

    public int capacity() {
        return capacity;
    }

    public Path file() {
        return file;
    }

    private void rollbackQuietly() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the caller already reports the original failure.
        }
    }

    @Override
    public synchronized void close() {
        flusher.shutdownNow();
        try {
            flush();
        } catch (RuntimeException e) {
            // Unwritten removals only mean duplicates next run.
        }
        try {
            db.close();
        } catch (SQLException ignored) {
            // Closing: committed work is already on disk.
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel releases it too.
        }
        closeQuietly(lockFile);
    }
}
