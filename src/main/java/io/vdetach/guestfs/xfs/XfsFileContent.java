package io.vdetach.guestfs.xfs;

import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import java.util.List;

/**
 * A regular file's bytes: each written extent maps onto the volume at its fsblock's byte
 * offset; unwritten (preallocated) extents and gaps are holes.
 */
final class XfsFileContent extends MappedLayer {
    private final RunTable table;
    private final String name;

    private XfsFileContent(RunTable table, String name) {
        this.table = table;
        this.name = name;
    }

    static XfsFileContent of(XfsBlockReader r, XfsDinode ino, List<XfsBmbtRec> extents) {
        long size = ino.size();
        long bs = r.sb.blockSize();
        RunTable.Builder t = RunTable.builder(size);
        for (XfsBmbtRec e : extents) {
            if (e.unwritten() || e.startOff() >= (size + bs - 1) / bs) continue;
            long start = e.startOff() * bs;
            long len = Math.min(e.blockCount() * bs, size - start);
            long at = r.extentToByte(e.startBlock(), e.blockCount(), "data extent of inode " + ino.ino(), ino.at());
            t.add(new Run.Mapped(start, len, r.volume, at));
        }
        return new XfsFileContent(t.build(), "xfs inode " + ino.ino());
    }

    @Override
    public long size() { return table.size(); }

    @Override
    public List<Run> map(long offset, long length) { return table.slice(offset, length); }

    @Override
    public String describe() { return name; }
}
