package io.vcpubal.guest.sysfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void namesTheErrnoOfAFailedWrite() {
        // What FileChannel/FileOutputStream throw when write(2) fails: strerror text as the message.
        assertEquals("EBUSY: Device or resource busy", Errno.describe(new IOException("Device or resource busy")));
        assertEquals("EINVAL: Invalid argument", Errno.describe(new IOException("Invalid argument")));
    }

    @Test
    void namesTheErrnoOfAFailedOpen() {
        assertEquals("EROFS: Read-only file system",
                Errno.describe(new FileSystemException("/sys/x", null, "Read-only file system")));
        assertEquals("EACCES: Permission denied", Errno.describe(new AccessDeniedException("/sys/x")));
        assertEquals("ENOENT: No such file or directory", Errno.describe(new NoSuchFileException("/sys/x")));
    }

    @Test
    void describesARealKernelErrorFromTheFileWriter() {
        // /dev/full fails every write with ENOSPC: the same path a failed sysfs write takes through the JDK.
        Path full = Path.of("/dev/full");
        Assumptions.assumeTrue(Files.isWritable(full), "no /dev/full here");
        IOException e = assertThrows(IOException.class, () -> CpuSysfs.FILE_WRITER.write(full, "0"));
        assertEquals("ENOSPC: No space left on device", Errno.describe(e));
    }

    @Test
    void keepsUnknownTextAsItIs() {
        assertEquals("EIO: cpu3 still online after writing 0",
                Errno.describe(new IOException("EIO: cpu3 still online after writing 0")));
        assertEquals("IOException", Errno.describe(new IOException()));
    }
}
