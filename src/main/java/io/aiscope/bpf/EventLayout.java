package io.aiscope.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Typed accessors for one event struct, with offsets taken from the object's BTF once. A decoder declares the
 * fields it reads and their sizes; a field the C header lacks, or sizes differently, fails at start-up.
 */
public final class EventLayout {
    private final BtfStruct struct;

    public EventLayout(BpfObject object, String structName) {
        this.struct = object.struct(structName);
    }

    public long size() {
        return struct.size();
    }

    public U32 u32(String field) {
        return new U32(struct.offset(field, 4));
    }

    public S32 s32(String field) {
        return new S32(struct.offset(field, 4));
    }

    public U64 u64(String field) {
        return new U64(struct.offset(field, 8));
    }

    public Chars chars(String field, int length) {
        return new Chars(struct.offset(field, length), length);
    }

    public record U32(long offset) {
        public long get(MemorySegment e) {
            return Integer.toUnsignedLong(e.get(ValueLayout.JAVA_INT_UNALIGNED, offset));
        }

        public int getInt(MemorySegment e) {
            return e.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
        }
    }

    public record S32(long offset) {
        public int get(MemorySegment e) {
            return e.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
        }
    }

    public record U64(long offset) {
        public long get(MemorySegment e) {
            return e.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        }
    }

    /** A NUL-terminated char array. */
    public record Chars(long offset, int length) {
        public String get(MemorySegment e) {
            int n = 0;
            while (n < length && e.get(ValueLayout.JAVA_BYTE, offset + n) != 0) {
                n++;
            }
            byte[] bytes = new byte[n];
            MemorySegment.copy(e, ValueLayout.JAVA_BYTE, offset, bytes, 0, n);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
