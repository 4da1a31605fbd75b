namespace Personalize.Trainer.Tests;

/// <summary>Floats equal within <paramref name="tolerance"/>: served C# scoring against torch's, whose sums run in another order.</summary>
internal sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => Math.Abs(x - y) < tolerance;

    public int GetHashCode(float obj) => 0;
}
