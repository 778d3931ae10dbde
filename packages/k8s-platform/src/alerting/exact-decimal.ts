/**
 * Decimal arithmetic without binary floating point, for thresholds written into rule expressions:
 * 14.4 × (1 − 0.999) must read 0.0144 in the YAML, not 0.014400000000000012.
 */
export class ExactDecimal {
  private constructor(
    /** The digits, as an integer. */
    private readonly digits: bigint,
    /** How many of the digits are after the decimal point. */
    private readonly scale: number,
  ) {}

  /** A number as JavaScript prints it (its shortest round-trip form), taken as the decimal it spells. */
  public static of(value: number): ExactDecimal {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    const text = String(value);
    if (/e/i.test(text)) throw new RangeError(`number out of the supported range: ${text}`);
    const [whole, fraction = ''] = text.split('.');
    return new ExactDecimal(BigInt(`${whole}${fraction}`), fraction.length);
  }

  public plus(other: ExactDecimal): ExactDecimal {
    const scale = Math.max(this.scale, other.scale);
    return new ExactDecimal(this.rescaled(scale) + other.rescaled(scale), scale);
  }

  public minus(other: ExactDecimal): ExactDecimal {
    return this.plus(new ExactDecimal(-other.digits, other.scale));
  }

  public times(other: ExactDecimal): ExactDecimal {
    return new ExactDecimal(this.digits * other.digits, this.scale + other.scale);
  }

  /** Division by 10^places, which is exact. */
  public shiftLeft(places: number): ExactDecimal {
    return new ExactDecimal(this.digits, this.scale + places);
  }

  public isPositive(): boolean {
    return this.digits > 0n;
  }

  /** Plain decimal notation without trailing zeros, e.g. `0.0144`, `2`, `-0.5`. */
  public toString(): string {
    const negative = this.digits < 0n;
    const padded = (negative ? -this.digits : this.digits).toString().padStart(this.scale + 1, '0');
    const whole = padded.slice(0, padded.length - this.scale);
    const fraction = padded.slice(padded.length - this.scale).replace(/0+$/, '');
    return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
  }

  private rescaled(scale: number): bigint {
    return this.digits * 10n ** BigInt(scale - this.scale);
  }
}
