package io.aiscope.symbols;

/** A place in a file, named by the file's device and inode as stat(2) reports them, and a byte offset. */
public record FileLocation(long device, long inode, long offset) {
    /** From the kernel's own dev_t (major in the top 12 bits, minor in the low 20), as BPF programs read it. */
    public static FileLocation fromKernel(long kernelDev, long inode, long offset) {
        long major = kernelDev >>> 20, minor = kernelDev & 0xfffff;
        long stDev = (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
        return new FileLocation(stDev, inode, offset);
    }
}
