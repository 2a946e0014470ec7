package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.util.List;
import java.util.Optional;

/**
 * One inconsistent object found by a scrub (Ceph's inconsistent_obj_wrapper, simplified): the
 * object-level errors (what differs between copies: {@code size_mismatch}, {@code data_digest_mismatch},
 * {@code omap_digest_mismatch}, {@code attr_value_mismatch}, {@code object_info_inconsistency}), the
 * member whose copy was chosen as authoritative (-1: none could be), and every member's copy with
 * the errors found in it ({@code missing}, {@code read_error}, {@code size_mismatch}, ...).
 *
 * <p>Wire (also the persisted form, inside the PG meta object's {@code scrub} omap value): object ref,
 * eversion version (the authoritative copy's), list of strings errors, u32 authOsd, list of shards
 * { u32 osd, list of strings errors, bool present, [ScrubMapEntry] }.
 */
public record ScrubInconsistency(ObjectRef ref, Eversion version, List<String> errors, int authOsd, List<Shard> shards) {
    public ScrubInconsistency {
        errors = List.copyOf(errors);
        shards = List.copyOf(shards);
    }

    /** One member's copy: absent when {@code entry} is empty (the member lacks the object). */
    public record Shard(int osd, List<String> errors, Optional<ScrubMapEntry> entry) {
        public Shard {
            errors = List.copyOf(errors);
        }

        void encode(Encoder out) {
            out.putInt(osd).putList(errors, Encoder::putString).putBoolean(entry.isPresent());
            entry.ifPresent(e -> e.encode(out));
        }

        static Shard decode(Decoder in) {
            int osd = in.getInt();
            List<String> errors = in.getList(Decoder::getString);
            return new Shard(osd, errors, in.getBoolean() ? Optional.of(ScrubMapEntry.decode(in)) : Optional.empty());
        }
    }

    /** The members whose copy has errors (the ones a repair rewrites). */
    public List<Integer> badOsds() {
        return shards.stream().filter(s -> !s.errors().isEmpty()).map(Shard::osd).toList();
    }

    public void encode(Encoder out) {
        ref.encode(out);
        version.encode(out);
        out.putList(errors, Encoder::putString).putInt(authOsd).putList(shards, (o, s) -> s.encode(o));
    }

    public static ScrubInconsistency decode(Decoder in) {
        return new ScrubInconsistency(ObjectRef.decode(in), Eversion.decode(in), in.getList(Decoder::getString),
                in.getInt(), in.getList(Shard::decode));
    }
}
