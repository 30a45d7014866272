package org.wpunet.train;

/** The loss became NaN or infinite; the message names the step and says what is intact. */
public final class TrainingDivergedException extends IllegalStateException {
    public TrainingDivergedException(String message) { super(message); }
}
