package io.vcpubal.guest.sysfs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/**
 * Turns the {@link IOException} of a failed sysfs access into errno-like text such as
 * {@code "EBUSY: Device or resource busy"}, the form the host reports to operators.
 *
 * <p>The JDK puts strerror(3) text into the exception (as the message of a failed write, as the reason of
 * a {@link FileSystemException} for a failed open, or implies it by the exception type), so we map that
 * text back to the symbolic name. Unknown text is returned unchanged.
 */
public final class Errno {

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("Operation not permitted", "EPERM"),
            Map.entry("No such file or directory", "ENOENT"),
            Map.entry("Input/output error", "EIO"),
            Map.entry("No such device or address", "ENXIO"),
            Map.entry("Resource temporarily unavailable", "EAGAIN"),
            Map.entry("Cannot allocate memory", "ENOMEM"),
            Map.entry("Permission denied", "EACCES"),
            Map.entry("Device or resource busy", "EBUSY"),
            Map.entry("No such device", "ENODEV"),
            Map.entry("Not a directory", "ENOTDIR"),
            Map.entry("Is a directory", "EISDIR"),
            Map.entry("Invalid argument", "EINVAL"),
            Map.entry("No space left on device", "ENOSPC"),
            Map.entry("Read-only file system", "EROFS"),
            Map.entry("Operation not supported", "EOPNOTSUPP"),
            Map.entry("Connection timed out", "ETIMEDOUT"),
            Map.entry("Operation canceled", "ECANCELED"));

    private Errno() {
    }

    /** E.g. {@code "EBUSY: Device or resource busy"}; the plain message when no errno text is recognised. */
    public static String describe(IOException e) {
        String text = strerror(e);
        if (text == null || text.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String name = NAMES.get(text);
        return name == null ? text : name + ": " + text;
    }

    private static String strerror(IOException e) {
        if (e instanceof NoSuchFileException) {
            String reason = ((NoSuchFileException) e).getReason();
            return reason != null ? "ENOENT: " + reason : "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException) {
            String reason = ((FileSystemException) e).getReason();
            return reason != null ? reason : e.getMessage();
        }
        return e.getMessage();
    }
}
