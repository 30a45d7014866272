package org.wpunet.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.Storage;

/**
 * Spatial batch norm with cuDNN (Backend.batchNorm / batchNormBackward): running = (1 - momentum)
 * running + momentum batch, with the unbiased batch variance. cuDNN takes scale, bias, mean and
 * variance as FLOAT for FLOAT, HALF and BFLOAT16 inputs (DOUBLE only for DOUBLE): for 16-bit inputs
 * those parameters are widened to F32 temporaries, the running statistics written back in their own
 * dtype, the saved statistics kept in F32 and the parameter gradients rounded to the input's dtype.
 */
final class CudnnBatchNorm {
    private final CudaBackend b;

    CudnnBatchNorm(CudaBackend b) { this.b = b; }

    private static MemorySegment seg(Storage s) { return CudnnConvolutions.seg(s); }

    private static int numel(int[] s) { return s[0] * s[1] * s[2] * s[3]; }

    /** The dtype of the scale/bias/mean/variance tensors cuDNN expects for an input dtype. */
    static DType paramType(DType x) { return x == DType.F64 ? DType.F64 : DType.F32; }

    /** Temporaries of one call, freed at its end. */
    private final class Temps implements AutoCloseable {
        private final List<CudaStorage> list = new ArrayList<>();

        /** s in dtype pt (a converted copy when it differs), or a filled vector of n when s is null. */
        Storage as(Storage s, DType pt, int n, double fill) {
            if (s != null && s.dtype() == pt) return s;
            CudaStorage t = (CudaStorage) (s == null ? b.full(pt, n, fill) : b.copy(s, Layout.contiguous(n), pt));
            list.add(t);
            return t;
        }

        @Override
        public void close() { for (CudaStorage s : list) s.free(); }
    }

    Storage[] forward(Storage x, int[] xs, Storage gamma, Storage beta, Storage rm, Storage rv, boolean training,
                      double momentum, double eps) {
        CudnnLibrary dnn = CudnnLibrary.get();
        DType t = x.dtype(), pt = paramType(t);
        int dt = CudnnLibrary.dataType(t), ch = xs[1];
        b.makeCurrent();
        boolean batchStats = training || rm == null || rv == null;
        CudaStorage y = b.alloc(t, numel(xs));
        CudaStorage sm = training ? b.alloc(pt, ch) : null, si = training ? b.alloc(pt, ch) : null;
        try (Temps tmp = new Temps(); Arena a = Arena.ofConfined();
             CudnnDescriptor xd = CudnnDescriptor.tensor(dnn, dt, xs[0], xs[1], xs[2], xs[3]);
             CudnnDescriptor pd = CudnnDescriptor.tensor(dnn, CudnnLibrary.dataType(pt), 1, ch, 1, 1)) {
            Storage g = tmp.as(gamma, pt, ch, 1), be = tmp.as(beta, pt, ch, 0);
            Storage rmF = rm == null ? null : tmp.as(rm, pt, ch, 0), rvF = rv == null ? null : tmp.as(rv, pt, ch, 1);
            MemorySegment one = CudnnLibrary.scalar(a, dt, 1), zero = CudnnLibrary.scalar(a, dt, 0);
            jcuda.driver.CUevent ev = b.profiler.begin();
            if (batchStats) {
                dnn.call("cudnnBatchNormalizationForwardTraining", b.cudnn(), CudnnLibrary.BN_SPATIAL, one, zero, xd.handle(), seg(x),
                        xd.handle(), seg(y), pd.handle(), seg(g), seg(be), momentum, training ? seg(rmF) : MemorySegment.NULL,
                        training ? seg(rvF) : MemorySegment.NULL, eps, seg(sm), seg(si));
            } else {
                dnn.call("cudnnBatchNormalizationForwardInference", b.cudnn(), CudnnLibrary.BN_SPATIAL, one, zero, xd.handle(),
                        seg(x), xd.handle(), seg(y), pd.handle(), seg(g), seg(be), seg(rmF), seg(rvF), eps);
            }
            b.profiler.end(ev, batchStats ? "cudnn batchnorm forward training" : "cudnn batchnorm forward inference");
            if (training && rm != null && rmF != rm) b.copyInto(rmF, Layout.contiguous(ch), rm, Layout.contiguous(ch));
            if (training && rv != null && rvF != rv) b.copyInto(rvF, Layout.contiguous(ch), rv, Layout.contiguous(ch));
        } catch (RuntimeException e) {
            for (CudaStorage s : new CudaStorage[]{y, sm, si}) if (s != null) s.free();
            throw e;
        }
        return training ? new Storage[]{y, sm, si} : new Storage[]{y};
    }

    /** {dx, dGamma, dBeta} from the forward's saved mean and inverse std (F32 for 16-bit inputs); eps as in the forward. */
    Storage[] backward(Storage x, Storage dy, int[] xs, Storage gamma, Storage saveMean, Storage saveInvStd, double eps) {
        CudnnLibrary dnn = CudnnLibrary.get();
        DType t = x.dtype(), pt = paramType(t);
        int dt = CudnnLibrary.dataType(t), ch = xs[1];
        b.makeCurrent();
        CudaStorage dx = b.alloc(t, numel(xs)), dg = b.alloc(pt, ch), db = b.alloc(pt, ch);
        try (Temps tmp = new Temps(); Arena a = Arena.ofConfined();
             CudnnDescriptor xd = CudnnDescriptor.tensor(dnn, dt, xs[0], xs[1], xs[2], xs[3]);
             CudnnDescriptor pd = CudnnDescriptor.tensor(dnn, CudnnLibrary.dataType(pt), 1, ch, 1, 1)) {
            Storage g = tmp.as(gamma, pt, ch, 1), mean = tmp.as(saveMean, pt, ch, 0), inv = tmp.as(saveInvStd, pt, ch, 1);
            MemorySegment one = CudnnLibrary.scalar(a, dt, 1), zero = CudnnLibrary.scalar(a, dt, 0);
            jcuda.driver.CUevent ev = b.profiler.begin();
            dnn.call("cudnnBatchNormalizationBackward", b.cudnn(), CudnnLibrary.BN_SPATIAL, one, zero, one, zero, xd.handle(),
                    seg(x), xd.handle(), seg(dy), xd.handle(), seg(dx), pd.handle(), seg(g), seg(dg), seg(db), eps, seg(mean),
                    seg(inv));
            b.profiler.end(ev, "cudnn batchnorm backward");
        } catch (RuntimeException e) {
            for (CudaStorage s : new CudaStorage[]{dx, dg, db}) s.free();
            throw e;
        }
        if (pt == t) return new Storage[]{dx, dg, db};
        try {
            return new Storage[]{dx, b.copy(dg, Layout.contiguous(ch), t), b.copy(db, Layout.contiguous(ch), t)};
        } finally {
            dg.free();
            db.free();
        }
    }
}
