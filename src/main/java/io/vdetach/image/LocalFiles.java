package io.vdetach.image;

import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The running system's filesystems, through the kernel. */
final class LocalFiles implements FileResolver {

    @Override
    public String notRegular(Path p) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(p, "unix:mode");
        } catch (NoSuchFileException e) {
            return MISSING;
        } catch (AccessDeniedException e) {
            throw e;
        } catch (IOException e) { // a symbolic link loop, a name too long
            return "cannot be followed (" + e.getMessage() + ")";
        }
        String type = switch (mode & 0170000) { // S_IFMT (inode(7))
            case 0100000 -> null;
            case 0040000 -> "a directory";
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "type " + Integer.toOctalString(mode & 0170000);
        };
        return type == null ? null : "not a regular file (" + type + ")";
    }

    @Override
    public Path realPath(Path p) throws IOException {
        return p.toRealPath();
    }

    @Override
    public HostFile open(Path real) throws IOException {
        return HostFile.open(real);
    }

    @Override
    public List<Path> regularFiles(Path dir) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }
}
