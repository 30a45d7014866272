package org.wpunet.nn.autograd;

import org.wpunet.core.Device;
import org.wpunet.core.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode sweep: orders the variables that require grad topologically (inputs before outputs),
 * then walks them from the root backwards, running each node's rule once with the sum of all
 * gradients that reached its output. Intermediate gradients are closed as soon as they are consumed;
 * leaves accumulate into their grad. Unless the graph is retained, each node is released right after
 * it ran, and graph-owned values ({@link TransientScope}) are closed once their last reader ran.
 */
final class BackwardEngine {
    private BackwardEngine() {}

    static void run(Variable root, Tensor gradOutput, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward() on a variable that does not require grad (made from constants only,"
                    + " or under NoGrad)");
        }
        if (!Arrays.equals(gradOutput.shape(), root.shape())) {
            throw new IllegalArgumentException("output gradient shape " + Arrays.toString(gradOutput.shape())
                    + " != output shape " + Arrays.toString(root.shape()));
        }
        List<Variable> order = topologicalOrder(root);
        Map<Variable, Tensor> pending = new IdentityHashMap<>();
        pending.put(root, gradOutput.to(root.dtype()));
        Device device = root.device();
        try {
            for (int i = order.size() - 1; i >= 0; i--) {
                Variable v = order.get(i);
                Tensor g = pending.remove(v);
                try {
                    if (g == null) continue;
                    if (v.isLeaf()) {
                        v.accumulate(g);
                    } else {
                        propagate(v, g, pending, device);
                    }
                } finally {
                    if (g != null) g.close();
                    // v's node has run (or, reached by no gradient, never will in this graph): without
                    // retainGraph its rule is dropped and the graph-owned values it read may go
                    if (!retainGraph && !v.isLeaf()) releaseAfterRun(v);
                }
            }
        } finally {
            for (Tensor t : pending.values()) t.close();
            if (!retainGraph) {
                for (Variable v : order) if (!v.isLeaf()) v.node().release();
            }
        }
    }

    /**
     * Drops v's node (its rule and private tensors) and gives back its reads of graph-owned values:
     * each input it read, and its own output if it read that, is closed once no other pending rule
     * reads it (see {@link TransientScope}). Every reader of a value runs before the node that made
     * it (reverse topological order), so a value read by v's own rule is closed here at the latest.
     */
    private static void releaseAfterRun(Variable v) {
        Node node = v.node();
        if (node.isReleased()) return;
        Variable[] inputs = node.inputs();
        node.release();
        if (node.reads.inputs) for (Variable in : inputs) in.releaseSavedUse();
        if (node.reads.output) v.releaseSavedUse();
    }

    private static void propagate(Variable v, Tensor g, Map<Variable, Tensor> pending, Device device) {
        Node node = v.node();
        Variable[] inputs = node.inputs();
        Tensor[] grads = node.backward(g);
        if (MemoryTrace.ENABLED) MemoryTrace.mark("backward " + node.op + " " + Arrays.toString(v.rawShape()), device);
        try {
            for (int j = 0; j < inputs.length; j++) {
                Variable in = inputs[j];
                if (grads[j] == null || !in.requiresGrad()) continue;
                // a new tensor object (view or sum), so rule outputs can be closed below whatever they alias;
                // the shape without the closed check: a graph-owned input may already be closed
                Tensor r = GradReduce.sumToShape(grads[j], in.rawShape(), in.rawDtype());
                Tensor prev = pending.get(in);
                if (prev == null) {
                    pending.put(in, r);
                } else {
                    try (r) {
                        pending.put(in, prev.add(r));
                    } finally {
                        prev.close();
                    }
                }
            }
        } finally {
            for (Tensor t : grads) if (t != null) t.close();
        }
    }

    /** Variables that require grad and reach the root, each after all of its inputs (iterative DFS). */
    private static List<Variable> topologicalOrder(Variable root) {
        List<Variable> order = new ArrayList<>();
        Map<Variable, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Variable> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        stack.push(root);
        next.push(0);
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Variable v = stack.peek();
            int k = next.pop();
            Variable[] ins = v.isLeaf() ? new Variable[0] : v.node().inputs();
            while (k < ins.length && (!ins[k].requiresGrad() || seen.containsKey(ins[k]))) k++;
            if (k < ins.length) {
                next.push(k + 1);
                seen.put(ins[k], Boolean.TRUE);
                stack.push(ins[k]);
                next.push(0);
            } else {
                stack.pop();
                order.add(v);
            }
        }
        return order;
    }
}
