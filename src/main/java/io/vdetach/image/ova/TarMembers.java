package io.vdetach.image.ova;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The regular files of a tar archive (ustar, pax and GNU), each stored contiguously after its
 * header: pax extended headers ('x') may give a member's path and size, GNU 'L' blocks its long name.
 */
final class TarMembers {
    /** One regular file: its name and where its bytes lie in the archive. */
    record Member(String name, long dataAt, long size) {}

    /** Archives with more members are refused: an OVA holds a descriptor, a manifest and a few disks. */
    static final int MAX_MEMBERS = 10_000;
    /** Extended headers (pax records, GNU long names) above 1 MiB are refused. */
    static final int MAX_EXTENDED = 1 << 20;

    private TarMembers() {}

    static List<Member> read(HostFile file) throws IOException {
        List<Member> out = new ArrayList<>();
        String longName = null;
        Long paxSize = null;
        String paxPath = null;
        int headers = 0;
        for (long at = 0; at <= file.size() - TarHeader.BLOCK; ) {
            if (++headers > 4 * MAX_MEMBERS) {
                throw new CorruptImageException("ova", "tar header", at, "more than " + MAX_MEMBERS + " members");
            }
            TarHeader h = TarHeader.parse(file.readBytes(at, TarHeader.BLOCK).array(), at, file.size());
            if (h == null) break;
            switch (h.type()) {
                case 'x', 'L' -> {
                    if (h.size() > MAX_EXTENDED) {
                        throw new CorruptImageException("ova", "tar extended header", at + 124, "extended header of " + h.size()
                                + " bytes (at most " + MAX_EXTENDED + ")");
                    }
                    byte[] data = file.readBytes(h.dataAt(), (int) h.size()).array();
                    if (h.type() == 'L') {
                        longName = TarHeader.text(data, 0, data.length);
                    } else {
                        for (String[] kv : pax(data, h.dataAt())) {
                            if (kv[0].equals("path")) paxPath = kv[1];
                            if (kv[0].equals("size")) paxSize = size(kv[1], h.dataAt());
                        }
                    }
                }
                case 'g' -> { } // global pax header: nothing an OVA needs
                default -> {
                    String name = paxPath != null ? paxPath : longName != null ? longName : h.name();
                    long size = paxSize != null ? paxSize : h.size();
                    if (size > file.size() - h.dataAt()) {
                        throw new CorruptImageException("ova", "pax size record", at, "member \"" + name + "\" of " + size
                                + " bytes runs past the end of the archive");
                    }
                    if (h.type() == '0' || h.type() == '7') out.add(new Member(name, h.dataAt(), size));
                    if (out.size() > MAX_MEMBERS) {
                        throw new CorruptImageException("ova", "tar header", at, "more than " + MAX_MEMBERS + " members");
                    }
                    longName = null;
                    paxPath = null;
                    Long s = paxSize;
                    paxSize = null;
                    at = h.dataAt() + Math.ceilDiv(s != null ? s : h.size(), TarHeader.BLOCK) * TarHeader.BLOCK;
                    continue;
                }
            }
            at = h.next();
        }
        return out;
    }

    /** pax records: "LEN key=value\n" each, LEN counting the whole record. */
    private static List<String[]> pax(byte[] data, long at) {
        List<String[]> out = new ArrayList<>();
        int i = 0;
        while (i < data.length && data[i] != 0) {
            int sp = i;
            while (sp < data.length && data[sp] != ' ') sp++;
            int len;
            try {
                len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new CorruptImageException("ova", "pax record", at + i, "pax record length is not a number");
            }
            if (len <= sp - i + 1 || len > data.length - i || data[i + len - 1] != '\n') {
                throw new CorruptImageException("ova", "pax record", at + i, "pax record of " + len + " bytes does not fit");
            }
            String rec = new String(data, sp + 1, i + len - 1 - (sp + 1), StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq > 0) out.add(new String[] {rec.substring(0, eq), rec.substring(eq + 1)});
            i += len;
        }
        return out;
    }

    private static long size(String v, long at) {
        try {
            long s = Long.parseLong(v);
            if (s < 0) throw new NumberFormatException();
            return s;
        } catch (NumberFormatException e) {
            throw new CorruptImageException("ova", "pax size record", at, "pax size \"" + v + "\" is not a size");
        }
    }
}
