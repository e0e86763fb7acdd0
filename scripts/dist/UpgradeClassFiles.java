import java.io.IOException;
import java.lang.classfile.ClassElement;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Build tool of scripts/package: copies a jar, rewriting each class file older than Java 6
 * (major version &lt; 50) as a Java 8 class file (major 52) with a StackMapTable that the JDK's
 * ClassFile API computes. The bytecode itself is unchanged. Why: the JVM's AOT cache (JEP 483)
 * skips every such old class once it has been linked ("Skipping ...: Old class has been linked"),
 * and picocli 4.7.7 is compiled for Java 5, so without this its ~200 classes are loaded, parsed
 * and verified on every start. Each rewritten class is checked with ClassFile.verify (the JDK's
 * type-checking verifier); any error fails the build.
 *
 * <p>Usage: java scripts/dist/UpgradeClassFiles.java IN.jar OUT.jar
 */
public final class UpgradeClassFiles {
    private static final int OLDEST_WITH_STACK_MAPS = 50;

    public static void main(String[] args) throws IOException {
        Path in = Path.of(args[0]), out = Path.of(args[1]);
        try (URLClassLoader jarLoader = new URLClassLoader(new URL[] {in.toUri().toURL()}, null)) {
            // stack maps need the common superclass of two types: resolved from the JDK, then from the jar itself
            ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                    .orElse(ClassHierarchyResolver.ofResourceParsing(jarLoader))));
            int upgraded = 0;
            try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(in));
                    ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(out))) {
                for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                    byte[] bytes = zin.readAllBytes();
                    if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")) {
                        ClassModel m = cf.parse(bytes);
                        if (m.majorVersion() < OLDEST_WITH_STACK_MAPS) {
                            bytes = upgrade(cf, m);
                            List<VerifyError> errors = cf.verify(bytes);
                            if (!errors.isEmpty()) {
                                throw new IllegalStateException(e.getName() + " does not verify as a Java 8 class: " + errors);
                            }
                            upgraded++;
                        }
                    }
                    ZipEntry copy = new ZipEntry(e.getName());
                    copy.setTime(e.getTime());
                    zout.putNextEntry(copy);
                    zout.write(bytes);
                    zout.closeEntry();
                }
            }
            System.err.println(in.getFileName() + ": " + upgraded + " class files rewritten as Java 8 class files");
        }
    }

    /** The same class with version 52.0 and every method body rebuilt, so that stack maps are generated. */
    private static byte[] upgrade(ClassFile cf, ClassModel m) {
        return cf.build(m.thisClass().asSymbol(), cb -> {
            cb.withVersion(ClassFile.JAVA_8_VERSION, 0);
            for (ClassElement ce : m) {
                switch (ce) {
                    case ClassFileVersion v -> { }
                    case MethodModel mm -> cb.transformMethod(mm, MethodTransform.transformingCode(CodeTransform.ACCEPT_ALL));
                    default -> cb.with(ce);
                }
            }
        });
    }
}
