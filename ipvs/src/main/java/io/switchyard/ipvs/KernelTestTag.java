package io.switchyard.ipvs;

/**
 * The JUnit tag of tests that need a kernel with IPVS (and the dummy link type). The normal test
 * run leaves them out; the build runs them in a VM booted with such a kernel
 * ({@code scripts/kernel-vm.sh}). Here rather than in test code so every module's tests share it.
 */
public final class KernelTestTag {

    /** {@code @Tag(KernelTestTag.IPVS_KERNEL)}. */
    public static final String IPVS_KERNEL = "ipvs-kernel";

    private KernelTestTag() {
    }
}
