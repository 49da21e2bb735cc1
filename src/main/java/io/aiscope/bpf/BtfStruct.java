package io.aiscope.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A struct's layout as the compiler recorded it in an object's BTF. Event decoders take their field offsets
 * from here, so the C header stays the only definition and a drift fails loudly at start-up, not silently.
 */
public final class BtfStruct {
    private static final int BTF_KIND_STRUCT = 4;
    private static final long TYPE_HEADER = 12;   // struct btf_type: name_off, info, size
    private static final long MEMBER_SIZE = 12;   // struct btf_member: name_off, type, offset

    public record Field(long offset, long size) {}

    private final String name;
    private final long size;
    private final Map<String, Field> fields;

    private BtfStruct(String name, long size, Map<String, Field> fields) {
        this.name = name;
        this.size = size;
        this.fields = fields;
    }

    static BtfStruct read(MemorySegment btf, String name) {
        try (var call = java.lang.foreign.Arena.ofConfined()) {
            int id = (int) Native.call(Libbpf.btf__find_by_name_kind, btf, call.allocateFrom(name), BTF_KIND_STRUCT);
            if (id < 0) {
                throw new BpfException("struct " + name + " is not in the object's BTF (is it referenced by the program?)");
            }
            MemorySegment type = Native.pointer("BTF type " + name, Libbpf.btf__type_by_id, btf, id)
                    .reinterpret(Long.MAX_VALUE);
            int info = type.get(ValueLayout.JAVA_INT_UNALIGNED, 4);
            long size = Integer.toUnsignedLong(type.get(ValueLayout.JAVA_INT_UNALIGNED, 8));
            int members = info & 0xffff;
            boolean bitfieldEncoding = info < 0;
            Map<String, Field> fields = new LinkedHashMap<>();
            for (int i = 0; i < members; i++) {
                long at = TYPE_HEADER + i * MEMBER_SIZE;
                int nameOff = type.get(ValueLayout.JAVA_INT_UNALIGNED, at);
                int memberType = type.get(ValueLayout.JAVA_INT_UNALIGNED, at + 4);
                int bits = type.get(ValueLayout.JAVA_INT_UNALIGNED, at + 8);
                long bitOffset = bitfieldEncoding ? bits & 0xffffff : Integer.toUnsignedLong(bits);
                String member = Native.string(Native.pointer("BTF name", Libbpf.btf__name_by_offset, btf, nameOff));
                long memberSize = (long) Native.call(Libbpf.btf__resolve_size, btf, memberType);
                fields.put(member, new Field(bitOffset / 8, memberSize));
            }
            return new BtfStruct(name, size, fields);
        }
    }

    public String name() {
        return name;
    }

    public long size() {
        return size;
    }

    public Map<String, Field> fields() {
        return fields;
    }

    /** The byte offset of {@code field}, which must be {@code expectedSize} bytes long, as the decoder reads it. */
    public long offset(String field, long expectedSize) {
        Field f = fields.get(field);
        if (f == null) {
            throw new BpfException("struct " + name + " has no field " + field + " (C header and Java decoder disagree)");
        }
        if (f.size() != expectedSize) {
            throw new BpfException("struct " + name + "." + field + " is " + f.size() + " bytes in C but the decoder reads "
                    + expectedSize + " (C header and Java decoder disagree)");
        }
        return f.offset();
    }
}
