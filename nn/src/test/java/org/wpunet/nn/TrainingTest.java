package org.wpunet.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.io.StateDicts;
import org.wpunet.nn.loss.Losses;
import org.wpunet.nn.loss.Reduction;
import org.wpunet.nn.module.AdaptiveAvgPool2d;
import org.wpunet.nn.module.BatchNorm2d;
import org.wpunet.nn.module.Conv2d;
import org.wpunet.nn.module.ConvTranspose2d;
import org.wpunet.nn.module.Dropout;
import org.wpunet.nn.module.Flatten;
import org.wpunet.nn.module.Linear;
import org.wpunet.nn.module.MaxPool2d;
import org.wpunet.nn.module.ReLU;
import org.wpunet.nn.module.Sequential;
import org.wpunet.nn.optim.Adam;
import org.wpunet.nn.optim.GradClip;
import org.wpunet.nn.optim.LrScheduler;
import org.wpunet.nn.optim.Optimizer;
import org.wpunet.nn.optim.ParamGroup;
import org.wpunet.nn.optim.RMSprop;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingTest {
    @TempDir
    Path dir;

    /** 8x8 images: class 0 has a bright horizontal bar, class 1 a vertical bar, at random positions, plus noise. */
    static Tensor[] barImages(int n, long seed) {
        Rng rng = new Rng(seed);
        float[] img = new float[n * 64];
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            label[i] = i % 2;
            int at = 1 + rng.nextInt(6);
            for (int k = 0; k < 64; k++) img[i * 64 + k] = (float) (0.3 * (rng.nextDouble() - 0.5));
            for (int k = 0; k < 8; k++) {
                int r = label[i] == 0 ? at : k, c = label[i] == 0 ? k : at;
                img[i * 64 + r * 8 + c] += 1;
            }
        }
        return new Tensor[]{Tensor.of(img, n, 1, 8, 8), Tensor.of(label, n)};
    }

    static Sequential classifier(Rng rng) {
        return new Sequential(new Conv2d(1, 4, 3, 1, 1, rng), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 8, 3, 1, 1, rng), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(8, 2, rng));
    }

    @Test
    void smallCnnLearnsAToyTwoClassTask() throws Exception {
        Tensor[] data = barImages(32, 11);
        try (Sequential net = classifier(new Rng(3)); Optimizer opt = new Adam(net.parameters(), 0.02);
             Tensor x = data[0]; Tensor y = data[1]) {
            double first = 0, last = 0;
            for (int step = 0; step < 150; step++) {
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    Variable loss = Losses.crossEntropy(net.forward(Variable.constant(x)), y);
                    loss.backward();
                    opt.step();
                    if (step == 0) first = loss.item();
                    last = loss.item();
                }
            }
            System.out.printf("toy CNN: loss %.4f -> %.4f%n", first, last);
            assertTrue(last * 10 <= first, "loss fell from " + first + " only to " + last);
            // held-out accuracy in eval mode (running BN statistics)
            Tensor[] test = barImages(32, 12);
            net.eval();
            try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
                Tensor pred = net.forward(Variable.constant(test[0])).value().argmax(1, false);
                double acc = pred.eq(test[1]).to(DType.F32).mean().item();
                assertTrue(acc >= 0.9, "held-out accuracy " + acc);
            } finally {
                test[0].close();
                test[1].close();
            }
            // a save/load round trip keeps the predictions
            Path f = dir.resolve("toy.safetensors");
            StateDicts.save(net, f);
            try (Sequential copy = classifier(new Rng(99)); Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
                StateDicts.load(copy, f, true);
                copy.eval();
                assertArrayEquals(net.forward(Variable.constant(x)).value().toFloatArray(),
                        copy.forward(Variable.constant(x)).value().toFloatArray(), 0f);
            }
        }
    }

    @Test
    void twoHundredTrainingStepsLeaveNoLiveTensors() throws Exception {
        Rng rng = new Rng(5);
        Tensor[] data = barImages(4, 21);
        // every layer with private saved tensors: pooling indices, BN statistics, dropout masks
        try (Sequential net = new Sequential(new Conv2d(1, 4, 3, ConvParams.of(1, 1), false, rng), new BatchNorm2d(4), new ReLU(),
                new MaxPool2d(2), new Dropout(0.2, new Rng(8)), new ConvTranspose2d(4, 3, 2, 2, rng));
             Tensor x = data[0]; Tensor labels = data[1];
             Tensor target = Tensor.zeros(DType.I32, 4, 8, 8); Tensor classWeight = Tensor.of(new float[]{0.5f, 1f, 2f}, 3);
             Tensor weightMap = Tensor.full(Device.CPU, DType.F32, 1.5, 4, 8, 8);
             RMSprop opt = new RMSprop(List.of(new ParamGroup(net.parameters(), 1e-3, 1e-4)), 0.99, 1e-8, 0.9, true)) {
            target.assign(labels.reshape(4, 1, 1).expand(4, 8, 8));
            LrScheduler sched = LrScheduler.cosine(opt, 200, 1e-5);
            // warm-up step: anything allocated lazily on first use is allocated here
            trainStep(net, opt, x, target, classWeight, weightMap);
            long live = Tensor.liveCount();
            double firstLoss = 0, lastLoss = 0;
            for (int step = 0; step < 200; step++) {
                double l = trainStep(net, opt, x, target, classWeight, weightMap);
                if (step == 0) firstLoss = l;
                lastLoss = l;
                sched.step();
            }
            assertEquals(live, Tensor.liveCount(), "live tensors before and after 200 steps");
            assertTrue(lastLoss < firstLoss, "loss " + firstLoss + " -> " + lastLoss);
        }
    }

    private static double trainStep(Sequential net, Optimizer opt, Tensor x, Tensor target, Tensor classWeight, Tensor weightMap) {
        try (Scope s = Scope.open()) {
            opt.zeroGrad();
            Variable out = net.forward(Variable.constant(x));
            Variable loss = Losses.crossEntropy(out, target, classWeight, -100, Reduction.MEAN)
                    .add(Losses.weightedMapCrossEntropy(out, target, weightMap, Reduction.MEAN));
            loss.backward();
            GradClip.clipGradNorm(net.parameters(), 1.0);
            opt.step();
            return loss.item();
        }
    }
}
