using System.Globalization;
using Microsoft.Extensions.Options;

namespace Personalize.Runtime.Serving;

/// <summary>
/// How long a stopping runtime keeps serving while not ready (<see cref="ShutdownDrain"/>):
/// <c>PERSONALIZE_RUNTIME_DRAIN_SECONDS</c>, else 5 s in a pod (<c>KUBERNETES_SERVICE_HOST</c> set) and 0 elsewhere.
/// Checked when the host starts, so a bad value stops the runtime naming the setting.
/// </summary>
public sealed class DrainSettings
{
    /// <summary>The setting as configured; null or empty when unset.</summary>
    public string? Seconds { get; set; }

    public bool InPod { get; set; }

    public TimeSpan Period => string.IsNullOrEmpty(Seconds)
        ? InPod ? TimeSpan.FromSeconds(5) : TimeSpan.Zero
        : TimeSpan.FromSeconds(double.Parse(Seconds, NumberStyles.Float, CultureInfo.InvariantCulture));

    private bool IsValid => string.IsNullOrEmpty(Seconds)
        || (double.TryParse(Seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && double.IsFinite(seconds));

    public static void Register(IServiceCollection services) =>
        services.AddOptions<DrainSettings>()
            .Configure<IConfiguration>((settings, configuration) =>
            {
                settings.Seconds = configuration[ShutdownDrain.Setting];
                settings.InPod = !string.IsNullOrEmpty(configuration["KUBERNETES_SERVICE_HOST"]);
            })
            .Validate(settings => settings.IsValid, $"{ShutdownDrain.Setting} must be a number of seconds >= 0")
            .ValidateOnStart();
}
