package dev.scheduler.engine.internal.admin;

import dev.scheduler.client.TaskKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * Where a listing stopped, as an opaque URL-safe string: the index of the partition in the listing's partitions,
 * the time bucket, and the last key read in it (or -1 / null at a bucket's start). Bound to the listing's filters
 * by a checksum so that a token is not used with other filters by mistake. Not a security boundary: a forged
 * token can only move a read.
 *
 * @param filters checksum of the filters the token belongs to
 * @param index the partition's index in the listing
 * @param position the bucket (tasks) or the last offset read (dead letters)
 * @param after the last key read in the bucket, or null
 */
public record PageToken(int filters, int index, long position, TaskKey after) {

    private static final int VERSION = 1;

    static int checksum(String filters) {
        CRC32 crc = new CRC32();
        crc.update(filters.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    String encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeInt(filters);
            out.writeInt(index);
            out.writeLong(position);
            out.writeBoolean(after != null);
            if (after != null) {
                out.writeLong(after.scheduledTime().toEpochMilli());
                writeString(out, after.orderingId());
                writeString(out, after.uniquenessKey());
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e); // a byte array stream does not fail
        }
    }

    /**
     * @throws IllegalArgumentException when the token is not one of ours, or belongs to other filters
     */
    static PageToken decode(String token, String filters, String filterNames) {
        PageToken t;
        try {
            DataInputStream in = new DataInputStream(
                    new ByteArrayInputStream(Base64.getUrlDecoder().decode(token)));
            if (in.readByte() != VERSION) {
                throw new IOException("unknown version");
            }
            int sum = in.readInt();
            int index = in.readInt();
            long position = in.readLong();
            TaskKey after = null;
            if (in.readBoolean()) {
                long millis = in.readLong();
                String orderingId = readString(in);
                after = TaskKey.of(orderingId, Instant.ofEpochMilli(millis), readString(in));
            }
            if (in.available() > 0 || index < 0) {
                throw new IOException("trailing bytes");
            }
            t = new PageToken(sum, index, position, after);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("pageToken '" + abbreviate(token) + "' is not a page token of this API "
                    + "(corrupted or cut short?): pass nextPageToken from the previous page unchanged");
        }
        if (t.filters() != checksum(filters)) {
            throw new IllegalArgumentException("pageToken belongs to a listing with other filters: a token is valid "
                    + "only with the " + filterNames + " of the request that returned it");
        }
        return t;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
