package io.vdetach.image.ewf;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.ImageException;
import io.vdetach.error.UsageException;
import io.vdetach.extent.HostFile;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.NamingField;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The segment files of one EWF image, read section by section (libyal EWF, "Segment file" and
 * "Sections"): each file is a chain of sections, the next one named by each descriptor, ending in
 * "next" (another segment follows) or "done" (the last one). What the sections hold is collected:
 * the media geometry, the chunk tables, case data, stored hashes and acquisition read errors.
 */
final class SegmentSet {
    /** One chunk table and the number of the first chunk it lists. */
    record Table(TableSection section, long firstChunk) {}

    final List<HostFile> files = new ArrayList<>();
    final List<Table> tables = new ArrayList<>();
    final Map<String, String> caseData = new LinkedHashMap<>();
    final Map<String, String> hashes = new LinkedHashMap<>();
    final List<long[]> errors = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    EwfVolume volume;
    /** Offset of the error2 section in its file, and that file, for the error that reading a listed sector gives. */
    SectionDescriptor error2;
    HostFile error2File;
    private long chunks;
    private boolean header2Read;

    private SegmentSet() {}

    /** Reads the set whose first segment is {@code first}; later segments are found next to it by name. */
    static SegmentSet read(HostFile first, ImageOpener opener) throws IOException {
        SegmentSet s = new SegmentSet();
        String firstName = first.path().getFileName().toString();
        SegmentNames names = SegmentNames.of(firstName);
        Set<Path> seen = new HashSet<>();
        HostFile f = first;
        boolean ok = false;
        try {
            for (int n = 1; ; n++) {
                seen.add(f.path());
                s.files.add(f);
                SectionDescriptor end = s.segment(f, n);
                if (end.type().equals("done")) break;
                if (names == null) {
                    throw new CorruptImageException("ewf", "next section", end.at(), first.path() + " is followed by another"
                            + " segment, but its name does not end in a letter and \"01\" (as E01), so the next one's name is unknown");
                }
                if (n + 1 > names.max()) {
                    throw new CorruptImageException("ewf", "next section", end.at(), f.path() + ": more than " + names.max()
                            + " segments");
                }
                String next = names.name(n + 1);
                Path p = opener.locate(first.path(), next, new NamingField("ewf", "next section of segment "
                        + f.path().getFileName(), end.at())).orThrow();
                if (seen.contains(p)) {
                    throw new CorruptImageException("ewf", "next section", end.at(), next + " is a segment already read (" + p + ")");
                }
                f = HostFile.open(p);
            }
            s.check(first);
            ok = true;
            return s;
        } finally {
            if (!ok) {
                for (HostFile h : s.files) if (h != first) h.close();
            }
        }
    }

    /** Walks the sections of segment {@code n}; returns its last section ("next" or "done"). */
    private SectionDescriptor segment(HostFile f, int n) throws IOException {
        String name = f.path().toString();
        EwfFileHeader h = EwfFileHeader.parse(f.readBytes(0, (int) Math.min(f.size(), EwfFileHeader.SIZE)), name);
        if (h.segmentNumber() != n) {
            if (n == 1 && SegmentNames.of(f.path().getFileName().toString()) == null) { // named as a later segment: a user's slip
                throw new UsageException(name + " is segment " + h.segmentNumber() + " of an EWF set: name its first segment"
                        + " (.E01) instead");
            }
            throw new CorruptImageException("ewf", "file header segment number", 9, name + " is segment " + h.segmentNumber()
                    + ", expected " + n);
        }
        SectionDescriptor sectors = null;
        CorruptImageException badTable = null;
        for (long at = EwfFileHeader.SIZE; ; ) {
            if (at > f.size() - SectionDescriptor.SIZE) {
                throw new CorruptImageException("ewf", "section descriptor", at, name + " ends without a \"next\" or \"done\" section");
            }
            SectionDescriptor d = SectionDescriptor.parse(f.readBytes(at, SectionDescriptor.SIZE), at, f.size(), name);
            if (badTable != null && !d.type().equals("table2")) throw badTable;
            switch (d.type()) {
                case "header", "header2" -> caseData(f, d);
                case "volume", "disk" -> {
                    if (volume == null) {
                        volume = EwfVolume.parse(f.readBytes(d.at() + SectionDescriptor.SIZE,
                                (int) Math.min(d.bodySize(), EwfVolume.ENCASE + 1)), d.at() + SectionDescriptor.SIZE, name);
                    }
                }
                case "sectors" -> sectors = d;
                case "table" -> {
                    try {
                        table(TableSection.parse(f, d, sectors));
                    } catch (CorruptImageException e) {
                        badTable = e;
                    }
                }
                case "table2" -> {
                    if (badTable != null) {
                        table(TableSection.parse(f, d, sectors));
                        warnings.add(name + ": the table at " + badTable.offset() + " is damaged (" + badTable.getMessage()
                                + "); its copy table2 at " + d.at() + " was used");
                        badTable = null;
                    }
                }
                case "hash", "digest" -> {
                    try {
                        HashSection.parse(f, d, hashes);
                    } catch (CorruptImageException e) {
                        warnings.add("stored hash not usable: " + e.getMessage());
                    }
                }
                case "error2" -> {
                    if (volume == null) {
                        throw new CorruptImageException("ewf", "error2 section", d.at(), name + ": an error2 section before the volume section");
                    }
                    errors.addAll(Error2Section.parse(f, d, volume.sectorCount()));
                    error2 = d;
                    error2File = f;
                }
                default -> { } // data (a copy of volume), session, xheader, xhash …: nothing vdetach needs
            }
            if (d.last()) return d;
            if (d.next() <= at) {
                throw new CorruptImageException("ewf", "section descriptor next", at + 16, name + ": section \"" + d.type()
                        + "\" at " + at + " names " + d.next() + " as the next section, not a later one");
            }
            at = d.next();
        }
    }

    private void caseData(HostFile f, SectionDescriptor d) throws IOException {
        boolean two = d.type().equals("header2");
        if (header2Read || (!two && !caseData.isEmpty())) return; // header2 (Unicode) wins over header; the first copy suffices
        try {
            Map<String, String> m = CaseData.parse(f, d);
            caseData.clear();
            caseData.putAll(m);
            header2Read = two;
        } catch (ImageException e) {
            warnings.add("case data not readable: " + e.getMessage());
        }
    }

    private void table(TableSection t) {
        if (volume == null) {
            throw new CorruptImageException("ewf", "table section", t.at(), t.file().path() + ": a table before the volume section");
        }
        if (t.entries() > volume.chunkCount() - chunks) {
            throw new CorruptImageException("ewf", "table number of entries", t.at() + SectionDescriptor.SIZE, t.file().path()
                    + ": the tables list more chunks than the volume's " + volume.chunkCount());
        }
        tables.add(new Table(t, chunks));
        chunks += t.entries();
    }

    private void check(HostFile first) {
        if (volume == null) {
            throw new CorruptImageException("ewf", "volume section", -1, first.path() + ": no volume section: the media size is unknown");
        }
        if (chunks != volume.chunkCount()) {
            throw new CorruptImageException("ewf", "table section", -1, first.path() + ": the tables list " + chunks + " of "
                    + volume.chunkCount() + " chunks");
        }
    }
}
