package org.wpunet.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds a shared library by soname in the CUDA search path and binds its functions with the
 * foreign-function API. Failures never escape as linkage errors: they become
 * {@link IllegalStateException}s naming the library and every directory searched.
 *
 * <p>Companion libraries. cuBLAS and cuDNN 9 are split over several shared objects that find each
 * other by bare soname: libcublas.so.N has a DT_NEEDED on libcublasLt.so.N, and cuDNN 9's
 * libcudnn.so.9 is a shim that dlopen()s libcudnn_graph/ops/cnn/engines_*.so.9 by bare name on first
 * use. A bare name is resolved by the dynamic loader (LD_LIBRARY_PATH, ld.so.cache, RUNPATH), not by
 * our search path, so a library found through CUDA_HOME or java.library.path alone would fail later
 * (undefined libcublasLt, or CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED at the first convolution). Before
 * opening the main library we therefore open its companions from the same directory by absolute
 * path: glibc then satisfies the later bare-name lookups with the already-loaded objects (it matches
 * loaded objects by soname), which also keeps the sub-libraries' versions equal to the shim's.
 */
final class NativeLibrary {
    private final String name;
    private final Path path;
    private final SymbolLookup lookup;
    private final List<Path> companions;

    private NativeLibrary(String name, Path path, SymbolLookup lookup, List<Path> companions) {
        this.name = name;
        this.path = path;
        this.lookup = lookup;
        this.companions = companions;
    }

    /** Where CUDA libraries are looked for, in order: java.library.path, LD_LIBRARY_PATH, CUDA_HOME, defaults. */
    static List<Path> searchPath(Map<String, String> env, String javaLibraryPath) {
        LinkedHashSet<String> dirs = new LinkedHashSet<>();
        if (javaLibraryPath != null) for (String d : javaLibraryPath.split(":")) if (!d.isBlank()) dirs.add(d);
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isBlank()) dirs.add(d);
        for (String var : new String[]{"CUDA_HOME", "CUDA_PATH"}) {
            String h = env.get(var);
            if (h != null && !h.isBlank()) {
                dirs.add(h + "/lib64");
                dirs.add(h + "/lib");
            }
        }
        dirs.add("/usr/local/cuda/lib64");
        dirs.add("/usr/lib/x86_64-linux-gnu");
        List<Path> out = new ArrayList<>();
        for (String d : dirs) out.add(Path.of(d));
        return out;
    }

    static List<Path> defaultSearchPath() { return searchPath(System.getenv(), System.getProperty("java.library.path")); }

    /**
     * Loads the first soname (in order of preference) found in the first directory holding it.
     * @throws IllegalStateException naming the sonames and the directories searched
     */
    static NativeLibrary load(String what, List<String> sonames, List<Path> dirs) {
        return load(what, sonames, dirs, so -> List.of());
    }

    /**
     * Like {@link #load(String, List, List)}, first opening the companions of the chosen soname that
     * exist in the same directory (best effort: a companion that is missing or fails to open is
     * skipped, the main library's own error then tells what is wrong).
     */
    static NativeLibrary load(String what, List<String> sonames, List<Path> dirs, Function<String, List<String>> companions) {
        List<String> errors = new ArrayList<>();
        for (String so : sonames) {
            for (Path d : dirs) {
                Path p = d.resolve(so);
                if (!Files.exists(p)) continue;
                try {
                    List<Path> loaded = preload(d, companions.apply(so));
                    return new NativeLibrary(so, p, SymbolLookup.libraryLookup(p, Arena.global()), loaded);
                } catch (Throwable t) { // IllegalArgumentException / LinkageError: record, try the next
                    errors.add(p + ": " + t.getMessage());
                }
            }
        }
        throw new IllegalStateException(what + " not found: looked for " + String.join(" or ", sonames) + " in "
                + dirs + (errors.isEmpty() ? "" : " (failed to open: " + String.join("; ", errors) + ")")
                + "; set CUDA_HOME or LD_LIBRARY_PATH");
    }

    /**
     * Opens the named files of dir that exist, for the life of the process. The order of the list is
     * tried first; a library whose own dependencies are not loaded yet is retried after the others.
     */
    static List<Path> preload(Path dir, List<String> sonames) {
        List<Path> pending = new ArrayList<>();
        for (String so : sonames) {
            Path p = dir.resolve(so);
            if (Files.exists(p)) pending.add(p);
        }
        List<Path> loaded = new ArrayList<>();
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                Path p = it.next();
                try {
                    SymbolLookup.libraryLookup(p, Arena.global());
                    loaded.add(p);
                    it.remove();
                    progress = true;
                } catch (Throwable t) { // not an ELF, or needs a library not loaded yet: maybe next round
                }
            }
        }
        return List.copyOf(loaded);
    }

    String name() { return name; }

    Path path() { return path; }

    /** The companion libraries opened before this one (absolute paths). */
    List<Path> companions() { return companions; }

    boolean has(String symbol) { return lookup.find(symbol).isPresent(); }

    /** A downcall handle for a C function; a missing symbol is an error naming the library. */
    MethodHandle fn(String symbol, FunctionDescriptor fd) {
        MemorySegment addr = lookup.find(symbol).orElseThrow(() ->
                new IllegalStateException("symbol " + symbol + " not found in " + path));
        return Linker.nativeLinker().downcallHandle(addr, fd);
    }
}
