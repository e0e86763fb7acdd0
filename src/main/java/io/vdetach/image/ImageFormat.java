package io.vdetach.image;

import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Container formats, told apart by content (magic numbers), never by file name. */
public enum ImageFormat {
    QCOW2, VHD, VHDX, VMDK, VDI, RAW;

    /** Recognises the format of {@code file} from its first and last bytes. */
    public static ImageFormat detect(HostFile file) throws IOException {
        long size = file.size();
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 1024));
        file.read(0, head);
        head.flip();
        if (startsWith(head, 0, new byte[] {'Q', 'F', 'I', (byte) 0xfb})) return QCOW2;
        if (startsWith(head, 0, ascii("vhdxfile"))) return VHDX;
        if (startsWith(head, 0, ascii("KDMV")) || startsWith(head, 0, ascii("COWD"))) return VMDK;
        if (startsWith(head, 0, ascii("# Disk DescriptorFile"))) return VMDK;
        // VDI: pre-header text then signature 0xbeda107f at 0x40 (VirtualBox VDICore.h)
        if (head.limit() >= 0x44 && head.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0x40) == 0xbeda107f) return VDI;
        if (startsWith(head, 0, ascii("conectix"))) return VHD; // dynamic disks keep a footer copy at 0
        if (size >= 512) {
            ByteBuffer tail = ByteBuffer.allocate(512);
            file.read(size - 512, tail);
            tail.flip();
            if (startsWith(tail, 0, ascii("conectix"))) return VHD;
            // very old Virtual PC images have a 511-byte footer
            if (startsWith(tail, 1, ascii("conectix"))) return VHD;
        }
        return RAW;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(ByteBuffer b, int at, byte[] magic) {
        if (b.limit() < at + magic.length) return false;
        for (int i = 0; i < magic.length; i++) {
            if (b.get(at + i) != magic[i]) return false;
        }
        return true;
    }
}
