package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.FusedOps;
import org.wpunet.core.NeuralOps;
import org.wpunet.core.OptimizerUpdate;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.core.UnaryOp;

/**
 * Every op of the Backend SPI against PyTorch's outputs and gradients (golden/ops.txt, made by
 * golden/make_op_golden.py), not against another path of our own code: inputs and expected results
 * both come from the file. Written once, run per device and dtype by the subclasses.
 */
public abstract class GoldenOpConformance {
    protected abstract Device device();

    /** The floating dtype the ops run in (integer inputs stay I32). */
    protected DType dtype() { return DType.F64; }

    /** Relative and absolute tolerance of a result computed in {@link #dtype}. */
    protected double tol() { return dtype() == DType.F64 ? 1e-9 : 3e-5; }

    private Map<String, GoldenOps.Array> c;

    private Tensor in(String name) { return c.get(name).on(device(), dtype()); }

    /** Asserts |actual - want| <= tol (1 + |want|) element by element, with the index of the first miss. */
    protected void assertGolden(Tensor actual, String name, String what) {
        GoldenOps.Array want = c.get(name);
        assertArrayEquals(want.shape(), actual.shape(), what + ": shape");
        double[] got = actual.toDoubleArray();
        for (int i = 0; i < got.length; i++) {
            double w = want.values()[i];
            if (Math.abs(got[i] - w) > tol() * (1 + Math.abs(w)) || Double.isNaN(got[i]) != Double.isNaN(w)) {
                fail(what + " (" + name + ") on " + device() + " " + dtype() + ": element " + i + " is " + got[i] + ", PyTorch "
                        + w);
            }
        }
    }

    private void load(String name) { c = GoldenOps.get(name); }

    @Test
    void unaryOps() {
        for (UnaryOp op : UnaryOp.values()) {
            load("unary_" + op);
            Function<Tensor, Tensor> f = switch (op) {
                case NEG -> Tensor::neg;
                case ABS -> Tensor::abs;
                case EXP -> Tensor::exp;
                case LOG -> Tensor::log;
                case SQRT -> Tensor::sqrt;
                case RELU -> Tensor::relu;
                case SIGMOID -> Tensor::sigmoid;
                case TANH -> Tensor::tanh;
                case SIGN -> Tensor::sign;
                case SQUARE -> Tensor::square;
                case RECIPROCAL -> Tensor::reciprocal;
            };
            try (Scope s = Scope.open()) {
                assertGolden(f.apply(in("x")), "y", op.name());
            }
        }
    }

    @Test
    void binaryOpsWithBroadcastAndScalars() {
        for (BinaryOp op : BinaryOp.values()) {
            load("binary_" + op);
            BiFunction<Tensor, Tensor, Tensor> f = switch (op) {
                case ADD -> Tensor::add; case SUB -> Tensor::sub; case MUL -> Tensor::mul; case DIV -> Tensor::div;
                case POW -> Tensor::pow; case MAXIMUM -> Tensor::maximum; case MINIMUM -> Tensor::minimum;
                case EQ -> Tensor::eq; case NE -> Tensor::ne; case LT -> Tensor::lt; case LE -> Tensor::le;
                case GT -> Tensor::gt; case GE -> Tensor::ge;
            };
            BiFunction<Tensor, Double, Tensor> fs = switch (op) {
                case ADD -> Tensor::add; case SUB -> Tensor::sub; case MUL -> Tensor::mul; case DIV -> Tensor::div;
                case POW -> Tensor::pow; case MAXIMUM -> Tensor::maximum; case MINIMUM -> Tensor::minimum;
                case EQ -> Tensor::eq; case NE -> Tensor::ne; case LT -> Tensor::lt; case LE -> Tensor::le;
                case GT -> Tensor::gt; case GE -> Tensor::ge;
            };
            try (Scope s = Scope.open()) {
                Tensor a = in("a");
                assertGolden(f.apply(a, in("b")), "y", op + " broadcast");
                assertGolden(fs.apply(a, 0.75), "yScalar", op + " with a scalar");
                Tensor first = switch (op) { // the scalar on the left: 0.75 op a
                    case SUB -> a.rsub(0.75);
                    case DIV -> a.rdiv(0.75);
                    case POW -> null; // no scalar-first pow in the API
                    case LT -> a.gt(0.75);
                    case LE -> a.ge(0.75);
                    case GT -> a.lt(0.75);
                    case GE -> a.le(0.75);
                    default -> fs.apply(a, 0.75); // symmetric
                };
                if (first != null) assertGolden(first, "yScalarFirst", op + " scalar first");
            }
        }
    }

    @Test
    void whereAndClamp() {
        try (Scope s = Scope.open()) {
            load("where");
            assertGolden(Tensor.where(in("cond"), in("a"), in("b")), "y", "where");
            load("clamp");
            assertGolden(in("x").clamp(-0.5, 0.7), "y", "clamp");
        }
    }

    @Test
    void reductions() {
        load("reduce");
        try (Scope s = Scope.open()) {
            Tensor x = in("x");
            assertGolden(x.sum(false, 1), "sum1", "sum over dim 1");
            assertGolden(x.sum(false, 0, 2), "sum02", "sum over dims 0, 2");
            assertGolden(x.max(false, 1), "max1", "max over dim 1");
            assertGolden(x.min(false, 2), "min2", "min over dim 2");
            assertGolden(x.argmax(1, false), "argmax1", "argmax over dim 1");
            assertGolden(x.argmin(0, false), "argmin0", "argmin over dim 0");
            assertGolden(x.sumSquares(dtype()), "sumSquares", "sum of squares");
        }
    }

    @Test
    void softmaxShortAndLongRows() {
        load("softmax");
        try (Scope s = Scope.open()) {
            assertGolden(in("x1").softmax(1), "soft1", "softmax over 3");
            assertGolden(in("x1").logSoftmax(1), "log1", "log_softmax over 3");
            assertGolden(in("x2").softmax(1), "soft2", "softmax over 40");
            assertGolden(in("x2").logSoftmax(1), "log2", "log_softmax over 40");
        }
    }

    @Test
    void batchedMatmul() {
        load("matmul");
        try (Scope s = Scope.open()) {
            assertGolden(in("a").matmul(in("b")), "y", "matmul");
            assertGolden(in("a").matmul(in("bt").transpose(1, 2)), "yt", "matmul with a transposed operand");
        }
    }

    @Test
    void convolutionsAndGradients() {
        for (String name : new String[]{"conv2d_s2p1", "conv2d_d2p2"}) {
            load(name);
            double[] p = c.get("params").values();
            ConvParams cp = ConvParams.of((int) p[0], (int) p[1], (int) p[2]);
            try (Scope s = Scope.open()) {
                Tensor x = in("x"), w = in("w");
                assertGolden(NeuralOps.conv2d(x, w, in("b"), cp), "y", name);
                assertGolden(NeuralOps.conv2dBackwardInput(in("dy"), w, x.shape(), cp), "dx", name + " input gradient");
                Tensor[] g = NeuralOps.conv2dBackwardWeight(x, in("dy"), w.shape(), cp, true);
                assertGolden(g[0], "dw", name + " weight gradient");
                assertGolden(g[1], "db", name + " bias gradient");
            }
        }
        load("conv_transpose2d");
        ConvParams cp = new ConvParams(2, 2, 1, 1, 1, 1, 1, 1);
        try (Scope s = Scope.open()) {
            Tensor x = in("x"), w = in("w");
            assertGolden(NeuralOps.convTranspose2d(x, w, in("b"), cp), "y", "conv_transpose2d");
            assertGolden(NeuralOps.convTranspose2dBackwardInput(in("dy"), w, x.shape(), cp), "dx", "conv_transpose2d input gradient");
            Tensor[] g = NeuralOps.convTranspose2dBackwardWeight(x, in("dy"), w.shape(), cp, true);
            assertGolden(g[0], "dw", "conv_transpose2d weight gradient");
            assertGolden(g[1], "db", "conv_transpose2d bias gradient");
        }
    }

    @Test
    void maxPoolingAndGradient() {
        load("max_pool2d");
        try (Scope s = Scope.open()) {
            Tensor x = in("x");
            NeuralOps.PoolResult r = NeuralOps.maxPool2d(x, new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1}, new int[]{1, 1});
            assertGolden(r.values(), "y", "max_pool2d values");
            assertGolden(r.indices(), "idx", "max_pool2d indices");
            assertGolden(NeuralOps.maxPool2dBackward(in("dy"), r.indices(), x.shape()), "dx", "max_pool2d gradient");
        }
    }

    @Test
    void batchNormTrainingBackwardAndInference() {
        load("batch_norm");
        try (Scope s = Scope.open()) {
            Tensor x = in("x"), g = in("gamma"), b = in("beta"), rm = in("runningMean"), rv = in("runningVar");
            NeuralOps.BatchNormResult r = NeuralOps.batchNorm(x, g, b, rm, rv, true, 0.1, 1e-5);
            assertGolden(r.output(), "y", "batch_norm training output");
            assertGolden(r.saveMean(), "saveMean", "batch_norm saved mean");
            assertGolden(r.saveInvStd(), "saveInvStd", "batch_norm saved inverse std");
            assertGolden(rm, "runningMeanAfter", "running mean after the update");
            assertGolden(rv, "runningVarAfter", "running variance after the update (unbiased)");
            Tensor[] d = NeuralOps.batchNormBackward(x, in("dy"), g, r.saveMean(), r.saveInvStd(), 1e-5);
            assertGolden(d[0], "dx", "batch_norm input gradient");
            assertGolden(d[1], "dgamma", "batch_norm gamma gradient");
            assertGolden(d[2], "dbeta", "batch_norm beta gradient");
            NeuralOps.BatchNormResult e = NeuralOps.batchNorm(x, g, b, in("runningMean"), in("runningVar"), false, 0.1, 1e-5);
            assertGolden(e.output(), "yEval", "batch_norm inference");
        }
    }

    @Test
    void indexSelectGatherScatterAdd() {
        load("indexing");
        try (Scope s = Scope.open()) {
            assertGolden(in("x").indexSelect(1, in("index")), "selected", "index_select");
            Tensor gi = in("gindex");
            assertGolden(in("xg").gather(1, gi.narrow(1, 0, 5)), "gathered", "gather");
            assertGolden(Tensor.scatterAdd(new int[]{4, 5}, 1, gi, in("src")), "scattered", "scatter_add");
        }
    }

    @Test
    void fusedCrossEntropies() {
        load("weighted_ce");
        try (Scope s = Scope.open(); FusedOps.CrossEntropyResult r = FusedOps.weightedCrossEntropy(in("logits"), in("target"),
                in("weight"), true)) {
            assertGolden(r.loss(), "loss", "weighted cross-entropy");
            assertGolden(r.grad(), "grad", "weighted cross-entropy gradient");
        }
        load("class_weighted_ce");
        try (Scope s = Scope.open(); FusedOps.CrossEntropyResult r = FusedOps.classWeightedCrossEntropy(in("logits"), in("weights"),
                c.get("clampMin").scalar(), true)) {
            assertGolden(r.loss(), "loss", "class-weighted cross-entropy");
            assertGolden(r.grad(), "grad", "class-weighted cross-entropy gradient");
        }
    }

    /** Two steps of one optimizer; state names as torch.optim's, in the order of OptimizerUpdate's state. */
    private void twoSteps(String name, Function<Integer, OptimizerUpdate> update, String... states) {
        load(name);
        try (Scope s = Scope.open()) {
            Tensor p = in("p0");
            Tensor[] st = new Tensor[states.length];
            for (int i = 0; i < st.length; i++) st[i] = Tensor.zerosLike(p);
            for (int k = 1; k <= 2; k++) {
                FusedOps.optimizerUpdate(update.apply(k), p, in("g" + k), st);
                assertGolden(p, "p" + k, name + " parameter after step " + k);
                for (int i = 0; i < st.length; i++) assertGolden(st[i], states[i] + k, name + " " + states[i] + " after step " + k);
            }
        }
    }

    @Test
    void optimizerSteps() {
        twoSteps("sgd", k -> new OptimizerUpdate.Sgd(0.1, 0.01, 0.9, 0.1, false, k == 1), "momentum_buffer");
        twoSteps("sgd_nesterov", k -> new OptimizerUpdate.Sgd(0.1, 0.01, 0.9, 0, true, k == 1), "momentum_buffer");
        twoSteps("rmsprop", k -> new OptimizerUpdate.RmsProp(0.01, 0.01, 0.9, 1e-6, 0.5, true), "square_avg", "momentum_buffer",
                "grad_avg");
        twoSteps("adam", k -> new OptimizerUpdate.Adam(0.01, 0.01, 0.8, 0.95, 1e-6, false, false, k), "exp_avg", "exp_avg_sq");
        twoSteps("adamw_amsgrad", k -> new OptimizerUpdate.Adam(0.01, 0.1, 0.8, 0.95, 1e-6, true, true, k), "exp_avg", "exp_avg_sq",
                "max_exp_avg_sq");
    }

    @Test
    void uniformRandomBitsFollowTheDocumentedGenerator() {
        load("random_uniform");
        long seed = (long) c.get("seed").scalar();
        try (Tensor f64 = new Rng(seed).uniform01(device(), DType.F64, 16); Tensor f32 = new Rng(seed).uniform01(device(), DType.F32, 16)) {
            assertArrayEquals(c.get("f64").values(), f64.toDoubleArray(), "F64 uniforms (53 bits)");
            assertArrayEquals(c.get("f32").values(), f32.toDoubleArray(), "F32 uniforms (24 bits)");
        }
    }

    @Test
    void normalRandomNumbersAndDropout() {
        load("random_normal");
        long seed = (long) c.get("seed").scalar();
        try (Tensor z = new Rng(seed).standardNormal(device(), DType.F64, 16)) {
            assertGolden(z, "f64", "N(0,1) by Box-Muller");
        }
        load("dropout");
        try (Tensor x = in("x")) {
            Tensor[] r = NeuralOps.dropout(x, 0.3, new Rng(seed));
            try (Tensor y = r[0]; Tensor mask = r[1]) {
                assertGolden(mask, "mask", "dropout mask (0 or 1/(1-p))");
                assertGolden(y, "y", "dropout output");
            }
        }
    }
}
