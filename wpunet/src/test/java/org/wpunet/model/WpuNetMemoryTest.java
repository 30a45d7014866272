package org.wpunet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.wpunet.core.Backends;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.loss.Losses;
import org.wpunet.nn.loss.Reduction;

import java.util.List;

/**
 * The forward's intermediates are graph-owned, so backward closes each one after its last reader:
 * a training step's peak of tensor bytes is lower than with the graph retained (which frees nothing
 * early), the gradients are the same to the bit, and the logits stay readable after backward.
 */
class WpuNetMemoryTest {
    private static final int N = 2, SIZE = 32;

    /** One step's peak tensor bytes above its start; gradients and logits (after backward) returned through out. */
    private static long step(WpuNet net, Tensor[] batch, boolean retain, double[][] grads, double[][] logitsAfter) {
        net.zeroGrad();
        long before = Backends.memoryStats(Device.CPU).inUse();
        Backends.resetPeakMemory(Device.CPU);
        try (Scope s = Scope.open(); Tensor one = Tensor.ones(Device.CPU, DType.F32)) {
            Variable logits = net.forward(Variable.constant(batch[0]));
            double[] beforeBackward = logits.value().toDoubleArray();
            Variable loss = Losses.weightedMapCrossEntropy(logits, batch[1], batch[2], Reduction.MEAN);
            loss.backward(one, retain);
            logitsAfter[0] = logits.value().toDoubleArray();
            assertArrayEquals(beforeBackward, logitsAfter[0], "the logits are the caller's: unchanged and readable after backward");
        }
        long peak = Backends.memoryStats(Device.CPU).peakInUse() - before;
        List<Variable> ps = net.parameters();
        for (int i = 0; i < ps.size(); i++) grads[i] = ps.get(i).grad().toDoubleArray();
        return peak;
    }

    @Test
    void backwardFreesTheActivationsEarlyWithoutChangingTheGradients() {
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withWidths(WpuNetTest.SMALL), new Rng(5));
             Tensor x = new Rng(6).standardNormal(Device.CPU, DType.F32, N, 2, SIZE, SIZE);
             Tensor t = new Rng(7).uniformIn(Device.CPU, DType.F32, 0, 2, N, SIZE, SIZE).to(DType.I32);
             Tensor w = new Rng(8).uniformIn(Device.CPU, DType.F32, 1, 10, N, SIZE, SIZE)) {
            Tensor[] batch = {x, t, w};
            int np = net.parameters().size();
            double[][] retained = new double[np][], early = new double[np][], logitsR = new double[1][], logitsE = new double[1][];
            step(net, batch, false, early, logitsE); // gradients allocated once, so both measured steps start alike
            long lateBytes = step(net, batch, true, retained, logitsR);
            long earlyBytes = step(net, batch, false, early, logitsE);
            for (int i = 0; i < np; i++) assertArrayEquals(retained[i], early[i], "gradient of parameter " + i);
            assertArrayEquals(logitsR[0], logitsE[0]);
            // retained, all activations are alive when the first encoder level runs its backward; freed
            // early, the last DoubleConv's (four of [N, w0, H, W]) are gone by then: ask for two of them
            long level1 = 2L * 4 * N * WpuNetTest.SMALL[0] * SIZE * SIZE;
            assertTrue(lateBytes - earlyBytes >= level1, "peak " + earlyBytes + " B with early freeing vs " + lateBytes + " B retained");
            net.zeroGrad();
            assertEquals(0, net.parameters().stream().filter(Variable::hasGrad).count());
        }
    }
}
