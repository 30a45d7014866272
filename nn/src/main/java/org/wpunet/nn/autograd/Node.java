package org.wpunet.nn.autograd;

import org.wpunet.core.Tensor;

import java.util.List;

/**
 * The record of one op in the graph: its inputs, its backward rule and the tensors only the rule
 * uses (pool indices, batch-norm statistics, dropout masks), which the node closes when the graph is
 * released after backward.
 */
final class Node {
    /** Maps the gradient of the op's output to the gradients of its inputs (null where not needed). */
    @FunctionalInterface
    interface BackwardRule {
        Tensor[] apply(Tensor gradOutput, boolean[] needsGrad);
    }

    /**
     * Which values the backward rule reads: its inputs' values and/or its own output's value. The
     * engine closes a graph-owned value ({@link TransientScope}) once every node that reads it has
     * run; an op that reads neither (concat, a view, a pooling with private indices) lets its inputs
     * go at the end of the forward. The default claims both, which is always safe.
     */
    enum Reads {
        NOTHING(false, false), INPUTS(true, false), OUTPUT(false, true), INPUTS_AND_OUTPUT(true, true);

        final boolean inputs, output;

        Reads(boolean inputs, boolean output) {
            this.inputs = inputs;
            this.output = output;
        }
    }

    final String op;
    final Reads reads;
    private Variable[] inputs;
    private BackwardRule rule;
    private List<Tensor> privateSaved;
    private boolean released;

    Node(String op, Reads reads, Variable[] inputs, BackwardRule rule, List<Tensor> privateSaved) {
        this.op = op;
        this.reads = reads;
        this.inputs = inputs;
        this.rule = rule;
        this.privateSaved = privateSaved;
    }

    Variable[] inputs() {
        checkLive();
        return inputs;
    }

    Tensor[] backward(Tensor gradOutput) {
        checkLive();
        boolean[] needs = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) needs[i] = inputs[i].requiresGrad();
        Tensor[] g = rule.apply(gradOutput, needs);
        if (g.length != inputs.length) {
            throw new IllegalStateException("backward rule of " + op + " returned " + g.length + " gradients for "
                    + inputs.length + " inputs");
        }
        return g;
    }

    boolean isReleased() { return released; }

    private void checkLive() {
        if (released) {
            throw new IllegalStateException("the graph through op '" + op + "' was released by an earlier backward();"
                    + " pass retainGraph=true to backward twice");
        }
    }

    /** Drops the inputs and rule (so they can be collected) and closes the rule's private tensors. */
    void release() {
        if (released) return;
        released = true;
        if (privateSaved != null) for (Tensor t : privateSaved) t.close();
        privateSaved = null;
        inputs = null;
        rule = null;
    }
}
