using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Personalize.Operator.Controllers.Hosting;

namespace Personalize.Operator.ClusterMode;

/// <summary>The operator's settings in the container, for `run` and `local`.</summary>
public static class OperatorSettingsServices
{
    /// <summary>
    /// Binds <see cref="SettingVariables"/> (the environment, with <paramref name="overrides"/> over it) as options
    /// checked on start, and registers the <see cref="OperatorSettings"/> read from them: the pods' log format defaults
    /// to the process's own, and <paramref name="adjust"/> tunes the rest for a mode.
    /// </summary>
    public static IServiceCollection AddOperatorSettings(
        this IServiceCollection services, Action<SettingVariables>? overrides = null, Func<SettingVariables, OperatorSettings, OperatorSettings>? adjust = null)
    {
        services.AddSingleton<IValidateOptions<SettingVariables>, SettingVariables.Validation>();
        services.AddOptions<SettingVariables>()
            .Configure(variables =>
            {
                foreach (var (name, value) in SettingVariables.FromEnvironment().Values)
                {
                    variables.Values[name] = value;
                }

                overrides?.Invoke(variables);
            })
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var variables = sp.GetRequiredService<IOptions<SettingVariables>>().Value;
            var settings = variables.ToSettings(sp.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value.FormatterName);
            return adjust?.Invoke(variables, settings) ?? settings;
        });
        return services;
    }
}
